package org.edu2lms.cli.config;

/**
 * A configuration that cannot be used: an unknown key, a value out of range or of the wrong kind,
 * an unreadable file. The message names the key (or variable, or file) and where its value came
 * from; the process stops at start-up with it.
 */
public final class ConfigurationException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** @param message names the key and the origin of its value */
  public ConfigurationException(String message) {
    super(message);
  }

  /** @param message names the key and the origin of its value; @param cause the parse error */
  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
