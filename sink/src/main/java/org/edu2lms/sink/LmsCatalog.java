package org.edu2lms.sink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.lms.AcademicTerm;
import org.edu2lms.schemas.lms.Assessment;
import org.edu2lms.schemas.lms.AssessmentSubmission;
import org.edu2lms.schemas.lms.Course;
import org.edu2lms.schemas.lms.CourseEnrollment;
import org.edu2lms.schemas.lms.CourseInstructor;
import org.edu2lms.schemas.lms.CourseMaterial;
import org.edu2lms.schemas.lms.CourseOffering;
import org.edu2lms.schemas.lms.FileUpload;
import org.edu2lms.schemas.lms.Grade;
import org.edu2lms.schemas.lms.OrganizationUnit;
import org.edu2lms.schemas.lms.Person;
import org.edu2lms.schemas.lms.StaffMember;
import org.edu2lms.schemas.lms.Student;
import org.edu2lms.schemas.lms.User;
import org.edu2lms.sink.LmsTable.Column;
import org.edu2lms.sink.LmsTable.Reference;

/**
 * The LMS tables the sink writes and their foreign keys (lms.md), declared once. The write order
 * is derived from the references (a topological sort), never hand-ordered: upserts parents first,
 * deletes children first. Column names are the Avro field names of the topic's records.
 */
public final class LmsCatalog {

  private static final List<LmsTable> DECLARED =
      List.of(
          new LmsTable(
              "users",
              LmsTopics.USERS,
              User.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("username", "text"),
                  col("email", "text"),
                  col("legacy_email", "text"),
                  col("password_hash", "text"),
                  col("is_active", "boolean"),
                  col("registered_at", "timestamptz"),
                  col("source_lsn", "bigint")),
              List.of()),
          new LmsTable(
              "persons",
              LmsTopics.PERSONS,
              Person.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("user_id", "uuid"),
                  col("first_name", "text"),
                  col("last_name", "text"),
                  col("middle_name", "text"),
                  col("birth_date", "date"),
                  col("gender", "text"),
                  col("national_id", "text"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("user_id", "users", true))),
          new LmsTable(
              "organization_units",
              LmsTopics.ORGANIZATION_UNITS,
              OrganizationUnit.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("parent_id", "uuid"),
                  col("unit_type", "text"),
                  col("name", "jsonb"),
                  col("code", "text"),
                  col("is_active", "boolean"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("parent_id", "organization_units", false))),
          new LmsTable(
              "students",
              LmsTopics.STUDENTS,
              Student.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("person_id", "uuid"),
                  col("user_id", "uuid"),
                  col("organization_unit_id", "uuid"),
                  col("student_number", "text"),
                  col("status", "text"),
                  col("admission_year", "integer"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("person_id", "persons", true), new Reference("user_id", "users", true), new Reference("organization_unit_id", "organization_units", false))),
          new LmsTable(
              "staff_members",
              LmsTopics.STAFF_MEMBERS,
              StaffMember.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("person_id", "uuid"),
                  col("user_id", "uuid"),
                  col("organization_unit_id", "uuid"),
                  col("position", "jsonb"),
                  col("status", "text"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("person_id", "persons", true), new Reference("user_id", "users", true), new Reference("organization_unit_id", "organization_units", false))),
          new LmsTable(
              "academic_terms",
              LmsTopics.ACADEMIC_TERMS,
              AcademicTerm.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("academic_year", "text"),
                  col("term_type", "text"),
                  col("start_date", "date"),
                  col("end_date", "date"),
                  col("source_lsn", "bigint")),
              List.of()),
          new LmsTable(
              "courses",
              LmsTopics.COURSES,
              Course.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("code", "text"),
                  col("name", "jsonb"),
                  col("credit_hours", "numeric"),
                  col("contact_hours", "integer"),
                  col("organization_unit_id", "uuid"),
                  col("recommended_semester", "smallint"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("organization_unit_id", "organization_units", false))),
          new LmsTable(
              "course_offerings",
              LmsTopics.COURSE_OFFERINGS,
              CourseOffering.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("course_id", "uuid"),
                  col("academic_term_id", "uuid"),
                  col("section_code", "text"),
                  col("language", "text"),
                  col("max_enrollment", "integer"),
                  col("is_active", "boolean"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("course_id", "courses", true), new Reference("academic_term_id", "academic_terms", true))),
          new LmsTable(
              "course_instructors",
              LmsTopics.COURSE_INSTRUCTORS,
              CourseInstructor.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("course_offering_id", "uuid"),
                  col("staff_member_id", "uuid"),
                  col("role", "text"),
                  col("is_active", "boolean"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("course_offering_id", "course_offerings", true), new Reference("staff_member_id", "staff_members", true))),
          new LmsTable(
              "course_enrollments",
              LmsTopics.COURSE_ENROLLMENTS,
              CourseEnrollment.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("course_offering_id", "uuid"),
                  col("student_id", "uuid"),
                  col("attempt_no", "smallint"),
                  col("enrollment_status", "text"),
                  col("grade_letter", "text"),
                  col("grade_points", "numeric"),
                  col("enrolled_at", "timestamptz"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("course_offering_id", "course_offerings", true), new Reference("student_id", "students", true))),
          new LmsTable(
              "assessments",
              LmsTopics.ASSESSMENTS,
              Assessment.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_exam_id", "bigint"),
                  col("course_offering_id", "uuid"),
                  col("assessment_type", "text"),
                  col("title", "jsonb"),
                  col("total_marks", "numeric"),
                  col("passing_marks", "numeric"),
                  col("duration_minutes", "integer"),
                  col("scheduled_at", "timestamptz"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("course_offering_id", "course_offerings", true))),
          new LmsTable(
              "assessment_submissions",
              LmsTopics.ASSESSMENT_SUBMISSIONS,
              AssessmentSubmission.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("assessment_id", "uuid"),
                  col("student_id", "uuid"),
                  col("attempt_number", "smallint"),
                  col("score", "numeric"),
                  col("status", "text"),
                  col("submitted_at", "timestamptz"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("assessment_id", "assessments", true), new Reference("student_id", "students", true))),
          new LmsTable(
              "grades",
              LmsTopics.GRADES,
              Grade.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_detail_id", "bigint"),
                  col("component", "smallint"),
                  col("assessment_id", "uuid"),
                  col("enrollment_id", "uuid"),
                  col("student_id", "uuid"),
                  col("marks_obtained", "numeric"),
                  col("is_absent", "boolean"),
                  col("graded_on", "date"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("assessment_id", "assessments", true), new Reference("enrollment_id", "course_enrollments", true), new Reference("student_id", "students", true))),
          new LmsTable(
              "file_uploads",
              LmsTopics.FILE_UPLOADS,
              FileUpload.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("original_name", "text"),
                  col("storage_path", "text"),
                  col("mime_type", "text"),
                  col("size_bytes", "bigint"),
                  col("uploaded_by", "uuid"),
                  col("uploaded_at", "timestamptz"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("uploaded_by", "users", false))),
          new LmsTable(
              "course_materials",
              LmsTopics.COURSE_MATERIALS,
              CourseMaterial.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("course_offering_id", "uuid"),
                  col("file_upload_id", "uuid"),
                  col("title", "text"),
                  col("meeting_date", "date"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("course_offering_id", "course_offerings", true), new Reference("file_upload_id", "file_uploads", true))));

  /** The tables in dependency order: every table after the tables it references. */
  public static final List<LmsTable> TABLES = topologicalOrder(DECLARED);

  private LmsCatalog() {}

  private static Column col(String name, String type) {
    return new Column(name, type);
  }

  /**
   * Orders tables so each comes after its parents; self-references are allowed (they are resolved
   * row by row by parking), other cycles are a declaration error.
   *
   * @throws IllegalStateException when the references form a cycle or name an unknown table
   */
  static List<LmsTable> topologicalOrder(List<LmsTable> tables) {
    Map<String, LmsTable> byName = new LinkedHashMap<>();
    tables.forEach(t -> byName.put(t.name(), t));
    List<LmsTable> out = new ArrayList<>();
    Map<String, Boolean> state = new LinkedHashMap<>(); // false = visiting, true = done
    for (LmsTable t : tables) {
      visit(t, byName, state, out);
    }
    return List.copyOf(out);
  }

  private static void visit(LmsTable t, Map<String, LmsTable> byName, Map<String, Boolean> state, List<LmsTable> out) {
    Boolean s = state.get(t.name());
    if (Boolean.TRUE.equals(s)) {
      return;
    }
    if (Boolean.FALSE.equals(s)) {
      throw new IllegalStateException("foreign-key cycle through " + t.name());
    }
    state.put(t.name(), false);
    for (Reference r : t.references()) {
      if (r.parent().equals(t.name())) {
        continue;
      }
      LmsTable parent = byName.get(r.parent());
      if (parent == null) {
        throw new IllegalStateException(t.name() + "." + r.column() + " references unknown table " + r.parent());
      }
      visit(parent, byName, state, out);
    }
    state.put(t.name(), true);
    out.add(t);
  }
}
