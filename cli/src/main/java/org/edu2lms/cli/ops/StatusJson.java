package org.edu2lms.cli.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The JSON shape of the operations reports ({@code lag --json}, the status page's API). */
public final class StatusJson {

  private StatusJson() {}

  /** Records as objects, instants as ISO-8601 strings, maps in their own order. */
  public static ObjectMapper mapper() {
    return new ObjectMapper().registerModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }
}
