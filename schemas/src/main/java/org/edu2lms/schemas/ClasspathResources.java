package org.edu2lms.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Text files shipped in the jars (the role setup SQL of the capture and the sink). */
public final class ClasspathResources {

  private ClasspathResources() {}

  /**
   * @param anchor a class of the jar holding the resource
   * @param resource its absolute path, e.g. {@code /sql/edu-setup.sql}
   * @return its text, UTF-8
   * @throws IllegalStateException when the resource is missing from the classpath
   * @throws UncheckedIOException when it cannot be read
   */
  public static String text(Class<?> anchor, String resource) {
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
