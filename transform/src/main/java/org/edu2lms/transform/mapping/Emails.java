package org.edu2lms.transform.mapping;

import java.util.Locale;
import java.util.regex.Pattern;

/** The e-mail rule of mapping.md §users (normalization and validity; ownership is in the topology). */
public final class Emails {

  private static final Pattern VALID = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");

  private Emails() {}

  /**
   * The normalized e-mail a user may own: trimmed, lower-cased (Locale.ROOT), and matching
   * {@code ^[^@\s]+@[^@\s]+\.[^@\s]+$}.
   *
   * @return the normalized address, or {@code null} when the text is empty or malformed
   */
  public static String normalizedValid(String raw) {
    String t = Texts.clean(raw);
    if (t == null) {
      return null;
    }
    String lower = t.toLowerCase(Locale.ROOT);
    return VALID.matcher(lower).matches() ? lower : null;
  }
}
