package org.edu2lms.schemas;

import java.util.regex.Pattern;

/**
 * Masks the passwords a JDBC URL may carry ({@code password=…}, {@code sslpassword=…}; pgjdbc
 * accepts both as URL parameters), so URLs can be printed and logged.
 */
public final class UrlPasswords {

  private static final Pattern PASSWORD = Pattern.compile("(?i)([?&;](?:ssl)?password=)[^&;]*");

  private UrlPasswords() {}

  /**
   * @param text a URL or any other text
   * @return the text with the value of every {@code password} / {@code sslpassword} parameter as
   *     {@code ****}
   */
  public static String mask(String text) {
    return PASSWORD.matcher(text).replaceAll("$1****");
  }
}
