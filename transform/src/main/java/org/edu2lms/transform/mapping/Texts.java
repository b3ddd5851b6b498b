package org.edu2lms.transform.mapping;

/** The text rule of mapping.md §Values: trimmed as {@link String#trim()}, never truncated, empty → NULL. */
public final class Texts {

  private Texts() {}

  /**
   * @return the trimmed text, or {@code null} when the input is null or trims to empty
   */
  public static String clean(String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    return t.isEmpty() ? null : t;
  }
}
