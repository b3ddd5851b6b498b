package org.edu2lms.transform.mapping;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of mapping one EDU row: either the LMS record, or the quarantine reason
 * (mapping.md §Reason codes). Data-quality notes ({@code unparseable_date:<column>}, a soft
 * reference set to NULL) travel with an accepted record; they are not quarantine rows.
 *
 * @param record the LMS record, {@code null} when quarantined
 * @param reason the reason code when quarantined, else {@code null}
 * @param detail a human-readable detail of the reason, or {@code null}
 * @param sourceLsn the LSN of the EDU row this result is mapped from (the sink's position guard)
 * @param notes data-quality notes of an accepted record
 * @param <T> the LMS record type
 */
public record MappingResult<T>(T record, String reason, String detail, long sourceLsn, List<String> notes) {

  public MappingResult {
    if ((record == null) == (reason == null)) {
      throw new IllegalArgumentException("exactly one of record and reason must be set");
    }
    notes = List.copyOf(notes);
  }

  /** An accepted row. */
  public static <T> MappingResult<T> ok(T record, long sourceLsn, List<String> notes) {
    return new MappingResult<>(Objects.requireNonNull(record), null, null, sourceLsn, notes);
  }

  /** A quarantined row, e.g. {@code quarantine("missing_parent:users", "user_id 17 …", lsn)}. */
  public static <T> MappingResult<T> quarantine(String reason, String detail, long sourceLsn) {
    return new MappingResult<>(null, reason, detail, sourceLsn, List.of());
  }

  /** A bug in a mapping: reason {@code mapping_error}, the exception and its stack in the detail. */
  public static <T> MappingResult<T> mappingError(Throwable error, long sourceLsn) {
    StringWriter trace = new StringWriter();
    error.printStackTrace(new PrintWriter(trace));
    String detail = trace.toString();
    return quarantine("mapping_error", detail.length() > 4000 ? detail.substring(0, 4000) : detail, sourceLsn);
  }

  /** Whether the row is accepted into LMS. */
  public boolean isOk() {
    return record != null;
  }
}
