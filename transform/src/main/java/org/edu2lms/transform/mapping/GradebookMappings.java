package org.edu2lms.transform.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.lms.Assessment;
import org.edu2lms.schemas.lms.AssessmentSubmission;
import org.edu2lms.schemas.lms.CourseEnrollment;
import org.edu2lms.schemas.lms.Grade;
import org.edu2lms.transform.serde.EduRow;

/**
 * LMS course_enrollments, assessments (exam and component), assessment_submissions and grades
 * (mapping.md, the sections of the same names).
 */
public final class GradebookMappings {

  /** Derived: set when the referenced section is an LMS course offering. */
  public static final String OFFERING = "_offering";
  /** Derived: set when the referenced student is an LMS student. */
  public static final String STUDENT = "_student";
  /** Derived on exam: the exam-type dictionaries row's name_en (JSON null: row missing). */
  public static final String TYPE = "_type";
  /** Derived on exam: the title label (JSON text) when the dictionaries row exists. */
  public static final String TITLE = "_title";
  /** Derived on exam_result: set when the exam is an LMS assessment. */
  public static final String EXAM = "_exam";
  /** Derived on journal_details: the journal row's {course_id, student_id} when it is an LMS enrollment. */
  public static final String JOURNAL = "_journal";
  /** Derived on journal_details: {"&lt;point id&gt;": {value, code}} for the row's existing points. */
  public static final String POINTS = "_points";

  /** The three component assessments of every offering (mapping.md §assessments ← component). */
  static final String[][] COMPONENTS = {
    {"seminar", "{\"az\":\"Seminar\",\"en\":\"Seminar\",\"ru\":\"Семинар\"}"},
    {"colloquium", "{\"az\":\"Kollokvium\",\"en\":\"Colloquium\",\"ru\":\"Коллоквиум\"}"},
    {"independent_work", "{\"az\":\"Sərbəst iş\",\"en\":\"Independent work\",\"ru\":\"Самостоятельная работа\"}"}
  };

  private GradebookMappings() {}

  /**
   * course_enrollments ← journal.
   *
   * @return the enrollment, or quarantine {@code missing_parent:course}, {@code
   *     missing_parent:students} or {@code invalid_value:retake} (NULL, or 32767 so that retake +
   *     1 does not fit attempt_no's smallint)
   */
  public static MappingResult<CourseEnrollment> enrollment(EduRow row) {
    Source s = new Source(row);
    if (!s.resolved(OFFERING)) {
      return s.quarantine("missing_parent:course", "course_id " + s.number("course_id") + " is not an LMS course offering");
    }
    if (!s.resolved(STUDENT)) {
      return s.quarantine("missing_parent:students", "student_id " + s.number("student_id") + " is not an LMS student");
    }
    Long retake = s.number("retake");
    if (retake == null) {
      return s.quarantine("invalid_value:retake", "retake is NULL");
    }
    if (retake + 1 > Short.MAX_VALUE) {
      // mapping.md is silent: attempt_no (smallint) cannot hold retake + 1; not truncated, not a
      // sink error, but the row's own invalid value (README §Mapping decisions).
      return s.quarantine("invalid_value:retake", "retake " + retake + " + 1 does not fit attempt_no (smallint)");
    }
    return s.ok(
        CourseEnrollment.newBuilder()
            .setId(Source.uuid("journal", s.id()))
            .setLegacyId(s.id())
            .setCourseOfferingId(Source.uuid("course", s.number("course_id")))
            .setStudentId(Source.uuid("students", s.number("student_id")))
            .setAttemptNo(Math.toIntExact(retake + 1))
            .setEnrollmentStatus(s.flag("active") ? "enrolled" : "completed")
            .setGradeLetter(s.text("letter_grade"))
            .setGradePoints(s.decimal("total_point"))
            .setEnrolledAt(s.timestamp("create_date"))
            .setSourceLsn(s.lsn())
            .build());
  }

  /**
   * assessments ← exam.
   *
   * @return the assessment, or quarantine {@code missing_parent:course}, {@code
   *     missing_parent:dictionaries} (type or title row missing) or {@code invalid_value:exam_type_dic_id}
   */
  public static MappingResult<Assessment> examAssessment(EduRow row) {
    Source s = new Source(row);
    if (!s.resolved(OFFERING)) {
      return s.quarantine("missing_parent:course", "course_id " + s.number("course_id") + " is not an LMS course offering");
    }
    JsonNode type = s.derived(TYPE);
    if (type == null || !type.has("name_en")) {
      return s.quarantine(
          "missing_parent:dictionaries", "exam_type_dic_id " + s.number("exam_type_dic_id") + " does not exist");
    }
    String name = Texts.clean(Rows.text(type, "name_en"));
    String assessmentType = name == null ? "" : name.toLowerCase(Locale.ROOT);
    if (!List.of("exam", "quiz", "midterm", "final").contains(assessmentType)) {
      return s.quarantine("invalid_value:exam_type_dic_id", "exam type '" + name + "' is not Exam, Quiz, Midterm or Final");
    }
    JsonNode title = s.derived(TITLE);
    if (title == null) {
      return s.quarantine("missing_parent:dictionaries", "title_dic_id " + s.number("title_dic_id") + " does not exist");
    }
    return s.ok(
        Assessment.newBuilder()
            .setId(Source.uuid("exam", s.id()))
            .setLegacyExamId(s.id())
            .setCourseOfferingId(Source.uuid("course", s.number("course_id")))
            .setAssessmentType(assessmentType)
            .setTitle(title.asText())
            .setTotalMarks(s.decimal("max_point"))
            .setPassingMarks(s.decimal("pass_point"))
            .setDurationMinutes(s.integer("duration_min"))
            .setScheduledAt(s.timestamp("exam_date"))
            .setSourceLsn(s.lsn())
            .build());
  }

  /**
   * The component assessment n (1..3) of an offering: seminar, colloquium, independent work;
   * total_marks 10, other columns NULL.
   *
   * @param courseId the EDU course (section) id
   * @param sourceLsn the offering's source position
   */
  public static Assessment componentAssessment(long courseId, int n, long sourceLsn) {
    return Assessment.newBuilder()
        .setId(LegacyIds.forComponent(courseId, n).toString())
        .setLegacyExamId(null)
        .setCourseOfferingId(Source.uuid("course", courseId))
        .setAssessmentType(COMPONENTS[n - 1][0])
        .setTitle(COMPONENTS[n - 1][1])
        .setTotalMarks("10")
        .setSourceLsn(sourceLsn)
        .build();
  }

  /**
   * assessment_submissions ← exam_result.
   *
   * @return the submission, or quarantine {@code missing_parent:exam}, {@code
   *     missing_parent:students}, {@code invalid_value:attempt} or {@code invalid_value:status}
   */
  public static MappingResult<AssessmentSubmission> submission(EduRow row) {
    Source s = new Source(row);
    if (!s.resolved(EXAM)) {
      return s.quarantine("missing_parent:exam", "exam_id " + s.number("exam_id") + " is not an LMS assessment");
    }
    if (!s.resolved(STUDENT)) {
      return s.quarantine("missing_parent:students", "student_id " + s.number("student_id") + " is not an LMS student");
    }
    Integer attempt = s.integer("attempt");
    if (attempt == null) {
      return s.quarantine("invalid_value:attempt", "attempt is NULL");
    }
    Long status = s.number("status");
    String st = status == null ? null : status == 0 ? "submitted" : status == 1 ? "graded" : status == 2 ? "annulled" : null;
    if (st == null) {
      return s.quarantine("invalid_value:status", "status " + status + " is not 0, 1 or 2");
    }
    return s.ok(
        AssessmentSubmission.newBuilder()
            .setId(Source.uuid("exam_result", s.id()))
            .setLegacyId(s.id())
            .setAssessmentId(Source.uuid("exam", s.number("exam_id")))
            .setStudentId(Source.uuid("students", s.number("student_id")))
            .setAttemptNumber(attempt)
            .setScore(s.decimal("point"))
            .setStatus(st)
            .setSubmittedAt(s.timestamp("submit_date"))
            .setSourceLsn(s.lsn())
            .build());
  }

  /**
   * grades ← journal_details: one result per component n = 1..3, {@code null} where
   * point_id_n is NULL (no grade, no quarantine row).
   *
   * @return three entries (index n-1): the grade, quarantine {@code missing_parent:journal} or
   *     {@code missing_parent:points}, or null
   */
  public static List<MappingResult<Grade>> grades(EduRow row) {
    List<MappingResult<Grade>> out = new ArrayList<>(3);
    for (int n = 1; n <= 3; n++) {
      out.add(grade(row, n));
    }
    return out;
  }

  private static MappingResult<Grade> grade(EduRow row, int n) {
    Source s = new Source(row);
    Long pointId = s.number("point_id_" + n);
    if (pointId == null) {
      return null;
    }
    JsonNode journal = s.derived(JOURNAL);
    if (journal == null) {
      return s.quarantine("missing_parent:journal", "journal_id " + s.number("journal_id") + " is not an LMS enrollment");
    }
    JsonNode points = s.derived(POINTS);
    JsonNode point = points == null ? null : points.get(Long.toString(pointId));
    if (point == null) {
      return s.quarantine("missing_parent:points", "point_id_" + n + " " + pointId + " does not exist");
    }
    boolean absent = "qb".equals(Texts.clean(Rows.text(point, "code")));
    String value = Rows.text(point, "value");
    long courseId = Rows.longValue(journal, "course_id");
    return s.ok(
        Grade.newBuilder()
            .setId(LegacyIds.forGrade(s.id(), n).toString())
            .setLegacyDetailId(s.id())
            .setComponent(n)
            .setAssessmentId(LegacyIds.forComponent(courseId, n).toString())
            .setEnrollmentId(Source.uuid("journal", s.number("journal_id")))
            .setStudentId(Source.uuid("students", Rows.longValue(journal, "student_id")))
            .setMarksObtained(absent || value == null ? null : new java.math.BigDecimal(value.trim()).toPlainString())
            .setIsAbsent(absent)
            .setGradedOn(s.date("lesson_date"))
            .setSourceLsn(s.lsn())
            .build());
  }
}
