package org.edu2lms.sink;

import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The EDU row an LMS row comes from, as the quarantine names it (lms.md §edu2lms.quarantine:
 * {@code source_table, source_id, component}; mapping.md §Accounting): the sink needs it to
 * quarantine a row it could not write within the grace period.
 *
 * <p>Rows with a single legacy row carry its id ({@code legacy_id}, {@code legacy_exam_id}, or
 * {@code legacy_detail_id} + {@code component} for grades). Rows derived from several EDU rows
 * (academic terms, component assessments) have none; they are named by their LMS table and the
 * high 64 bits of their UUID, and the detail carries the whole UUID.
 *
 * @param sourceTable the EDU table, or the LMS table for a derived row
 * @param sourceId the EDU row id (or the UUID's high bits for a derived row)
 * @param component the grade component 1..3, else 0
 */
record SourceIdentity(String sourceTable, long sourceId, int component) {

  /** LMS table → the EDU table its rows come from (mapping.md, one section per LMS table). */
  private static final Map<String, String> EDU_TABLE =
      Map.ofEntries(
          Map.entry("users", "users"),
          Map.entry("persons", "persons"),
          Map.entry("organization_units", "organizations"),
          Map.entry("students", "students"),
          Map.entry("staff_members", "teachers"),
          Map.entry("courses", "education_plan_subject"),
          Map.entry("course_offerings", "course"),
          Map.entry("course_instructors", "course_teacher"),
          Map.entry("course_enrollments", "journal"),
          Map.entry("assessments", "exam"),
          Map.entry("assessment_submissions", "exam_result"),
          Map.entry("grades", "journal_details"),
          Map.entry("file_uploads", "files"),
          Map.entry("course_materials", "course_meeting_topic_file"));

  /**
   * The EDU table whose rows an LMS table holds, for reason codes ({@code missing_parent:<edu
   * table>}, mapping.md §Reason codes); the LMS table itself for academic_terms.
   */
  static String eduTableOf(String lmsTable) {
    return EDU_TABLE.getOrDefault(lmsTable, lmsTable);
  }

  /**
   * @param lmsTable the LMS table of the record
   * @param row a decoded record of that table's topic
   */
  static SourceIdentity of(String lmsTable, SpecificRecord row) {
    Schema schema = row.getSchema();
    String edu = EDU_TABLE.get(lmsTable);
    Long legacy = field(row, schema, "legacy_id");
    if (legacy == null) {
      legacy = field(row, schema, "legacy_exam_id");
    }
    if (legacy == null) {
      legacy = field(row, schema, "legacy_detail_id");
    }
    if (edu != null && legacy != null) {
      Number component = schema.getField("component") == null ? null : (Number) row.get(schema.getField("component").pos());
      return new SourceIdentity(edu, legacy, component == null ? 0 : component.intValue());
    }
    UUID id = UUID.fromString(row.get(schema.getField("id").pos()).toString());
    return new SourceIdentity(lmsTable, id.getMostSignificantBits(), 0);
  }

  private static Long field(SpecificRecord row, Schema schema, String name) {
    Schema.Field f = schema.getField(name);
    if (f == null) {
      return null;
    }
    Object v = row.get(f.pos());
    return v == null ? null : ((Number) v).longValue();
  }
}
