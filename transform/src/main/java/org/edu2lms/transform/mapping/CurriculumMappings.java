package org.edu2lms.transform.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.lms.AcademicTerm;
import org.edu2lms.schemas.lms.Course;
import org.edu2lms.schemas.lms.CourseInstructor;
import org.edu2lms.schemas.lms.CourseMaterial;
import org.edu2lms.schemas.lms.CourseOffering;
import org.edu2lms.schemas.lms.FileUpload;
import org.edu2lms.transform.serde.EduRow;

/**
 * LMS academic_terms, courses, course_offerings, course_instructors, file_uploads and
 * course_materials (mapping.md, the sections of the same names).
 */
public final class CurriculumMappings {

  /** Derived on a catalog row: the name label (JSON text) when the dictionaries row exists. */
  public static final String NAME = "_name";
  /** Derived on a catalog row: {@code {"org_id": …}} of its education_plan when the plan exists. */
  public static final String PLAN = "_plan";
  /** Derived: set when the referenced organization is an LMS organization unit. */
  public static final String ORG = "_org";
  /** Derived on a section: set when its catalog entry is an LMS course. */
  public static final String COURSE = "_course";
  /** Derived on a section: set when its edu_years row exists. */
  public static final String YEAR = "_year";
  /** Derived on a section: set when its semesters row exists with a known code. */
  public static final String SEMESTER = "_semester";
  /** Derived on a section: the language dictionaries row's name_en, when it exists. */
  public static final String LANGUAGE = "_language";
  /** Derived: set when the referenced section is an LMS course offering. */
  public static final String OFFERING = "_offering";
  /** Derived on course_teacher: set when the teacher is an LMS staff member. */
  public static final String STAFF = "_staff";
  /** Derived on files: set when the uploader is an LMS user. */
  public static final String USER = "_user";
  /** Derived on course_meeting_topic_file: the topic row's {course_id, topic, meeting_date, _offering}. */
  public static final String TOPIC = "_topic";
  /** Derived on course_meeting_topic_file: set when the file is an LMS file upload. */
  public static final String FILE = "_file";

  private static final Pattern YEAR_NAME = Pattern.compile("(\\d{4})/(\\d{4})");
  private static final String[] TERM_TYPES = {"fall", "spring", "summer"};
  private static final String[] ROLES = {"lecturer", "seminar_leader", "lab_instructor"};

  private CurriculumMappings() {}

  /** The term type of a semesters code (1 fall, 2 spring, 3 summer), or null for another code. */
  public static String termType(Long code) {
    return code != null && code >= 1 && code <= 3 ? TERM_TYPES[code.intValue() - 1] : null;
  }

  /**
   * The academic year an edu_years row gives its terms: the name, trimmed (mapping.md §Text);
   * null when that is empty, since academic_terms.academic_year is NOT NULL.
   */
  public static String academicYear(JsonNode year) {
    String name = Rows.text(year, "name");
    String trimmed = name == null ? "" : name.trim();
    return trimmed.isEmpty() ? null : trimmed;
  }

  /**
   * Why an edu_years or semesters row gives no academic terms, or null when it gives them.
   * mapping.md §academic_terms says terms are never quarantined, and is silent on rows that cannot
   * make one: this pipeline quarantines the source row instead, so it is accounted for (README
   * §Reliability): an edu_years row whose name is empty → {@code invalid_value:name}; a semesters
   * row whose code is not 1..3 → {@code invalid_value:code}. Their pairs are then not terms, and
   * sections of that year or semester are {@code missing_parent:edu_years} / {@code
   * missing_parent:semesters}.
   *
   * @param eduTable {@code edu_years} or {@code semesters}
   * @param row the row
   * @return a quarantine result, or null
   * @throws IllegalArgumentException for another table
   */
  public static <T> MappingResult<T> termSourceProblem(String eduTable, EduRow row) {
    switch (eduTable) {
      case "edu_years" -> {
        return academicYear(row.row()) != null
            ? null
            : MappingResult.quarantine("invalid_value:name", "edu_years name is empty: its terms would have no academic_year", row.lsn());
      }
      case "semesters" -> {
        Long code = Rows.longValue(row.row(), "code");
        return termType(code) != null
            ? null
            : MappingResult.quarantine("invalid_value:code", "semesters code " + code + " is not 1 (fall), 2 (spring) or 3 (summer)", row.lsn());
      }
      default -> throw new IllegalArgumentException("terms come from edu_years and semesters, not " + eduTable);
    }
  }

  /**
   * One academic term of an edu_years × semesters pair (mapping.md §academic_terms).
   *
   * @param year the edu_years row
   * @param semester the semesters row, with a code 1..3
   * @return the term
   * @throws IllegalArgumentException when the semester's code is not 1..3 or the year's name is
   *     empty (see {@link #termSourceProblem})
   */
  public static AcademicTerm term(EduRow year, EduRow semester) {
    long yearId = Rows.id(year.row());
    long semesterId = Rows.id(semester.row());
    String type = termType(Rows.longValue(semester.row(), "code"));
    if (type == null) {
      throw new IllegalArgumentException("semesters " + semesterId + " has no term type");
    }
    String academicYear = academicYear(year.row());
    if (academicYear == null) {
      throw new IllegalArgumentException("edu_years " + yearId + " has no academic year");
    }
    LocalDate start = null;
    LocalDate end = null;
    Matcher m = YEAR_NAME.matcher(academicYear);
    if (m.matches()) {
      int first = Integer.parseInt(m.group(1));
      int second = Integer.parseInt(m.group(2));
      switch (type) {
        case "fall" -> {
          start = LocalDate.of(first, 9, 15);
          end = LocalDate.of(second, 1, 31);
        }
        case "spring" -> {
          start = LocalDate.of(second, 2, 1);
          end = LocalDate.of(second, 6, 30);
        }
        default -> {
          start = LocalDate.of(second, 7, 1);
          end = LocalDate.of(second, 8, 31);
        }
      }
    }
    return AcademicTerm.newBuilder()
        .setId(LegacyIds.forTerm(yearId, semesterId).toString())
        .setAcademicYear(academicYear)
        .setTermType(type)
        .setStartDate(start)
        .setEndDate(end)
        .setSourceLsn(Math.max(year.lsn(), semester.lsn()))
        .build();
  }

  /**
   * courses ← education_plan_subject.
   *
   * @return the course, or quarantine {@code invalid_value:code} or {@code missing_parent:dictionaries}
   */
  public static MappingResult<Course> course(EduRow row) {
    Source s = new Source(row);
    String code = s.text("code");
    if (code == null) {
      return s.quarantine("invalid_value:code", "code is empty");
    }
    JsonNode name = s.derived(NAME);
    if (name == null) {
      return s.quarantine("missing_parent:dictionaries", "subject_dic_id " + s.number("subject_dic_id") + " does not exist");
    }
    JsonNode plan = s.derived(PLAN);
    String org = null;
    if (plan == null) {
      s.note("soft_reference_null:education_plan_id");
    } else {
      JsonNode orgId = plan.get("org_id");
      if (orgId != null && !orgId.isNull()) {
        if (s.resolved(ORG)) {
          org = Source.uuid("organizations", orgId.asLong());
        } else {
          s.note("soft_reference_null:org_id");
        }
      }
    }
    return s.ok(
        Course.newBuilder()
            .setId(Source.uuid("education_plan_subject", s.id()))
            .setLegacyId(s.id())
            .setCode(code)
            .setName(name.asText())
            .setCreditHours(s.decimal("credit"))
            .setContactHours(s.integer("hours"))
            .setOrganizationUnitId(org)
            .setRecommendedSemester(s.integer("semester_no"))
            .setSourceLsn(s.lsn())
            .build());
  }

  /**
   * course_offerings ← course.
   *
   * @return the offering, or quarantine {@code missing_parent:education_plan_subject},
   *     {@code missing_parent:edu_years} or {@code missing_parent:semesters}, in that order
   */
  public static MappingResult<CourseOffering> offering(EduRow row) {
    Source s = new Source(row);
    if (!s.resolved(COURSE)) {
      return s.quarantine(
          "missing_parent:education_plan_subject",
          "education_plan_subject_id " + s.number("education_plan_subject_id") + " is not an LMS course");
    }
    if (!s.resolved(YEAR)) {
      return s.quarantine("missing_parent:edu_years", "edu_year_id " + s.number("edu_year_id") + " does not exist");
    }
    if (!s.resolved(SEMESTER)) {
      return s.quarantine("missing_parent:semesters", "semester_id " + s.number("semester_id") + " does not exist");
    }
    JsonNode lang = s.derived(LANGUAGE);
    String language = null;
    if (lang != null) {
      language =
          switch (lang.asText().trim()) {
            case "Azerbaijani" -> "az";
            case "English" -> "en";
            case "Russian" -> "ru";
            default -> null;
          };
    } else if (s.number("language_id") != null) {
      s.note("soft_reference_null:language_id");
    }
    return s.ok(
        CourseOffering.newBuilder()
            .setId(Source.uuid("course", s.id()))
            .setLegacyId(s.id())
            .setCourseId(Source.uuid("education_plan_subject", s.number("education_plan_subject_id")))
            .setAcademicTermId(LegacyIds.forTerm(s.number("edu_year_id"), s.number("semester_id")).toString())
            .setSectionCode(s.text("group_name"))
            .setLanguage(language)
            .setMaxEnrollment(s.integer("student_limit"))
            .setIsActive(s.flag("active"))
            .setSourceLsn(s.lsn())
            .build());
  }

  /**
   * course_instructors ← course_teacher.
   *
   * @return the instructor, or quarantine {@code missing_parent:course},
   *     {@code missing_parent:teachers} or {@code invalid_value:lesson_type}
   */
  public static MappingResult<CourseInstructor> instructor(EduRow row) {
    Source s = new Source(row);
    if (!s.resolved(OFFERING)) {
      return s.quarantine("missing_parent:course", "course_id " + s.number("course_id") + " is not an LMS course offering");
    }
    if (!s.resolved(STAFF)) {
      return s.quarantine("missing_parent:teachers", "teacher_id " + s.number("teacher_id") + " is not an LMS staff member");
    }
    Long type = s.number("lesson_type");
    if (type == null || type < 1 || type > 3) {
      return s.quarantine("invalid_value:lesson_type", "lesson_type " + type + " is not 1, 2 or 3");
    }
    return s.ok(
        CourseInstructor.newBuilder()
            .setId(Source.uuid("course_teacher", s.id()))
            .setLegacyId(s.id())
            .setCourseOfferingId(Source.uuid("course", s.number("course_id")))
            .setStaffMemberId(Source.uuid("teachers", s.number("teacher_id")))
            .setRole(ROLES[type.intValue() - 1])
            .setIsActive(s.flag("active"))
            .setSourceLsn(s.lsn())
            .build());
  }

  /**
   * file_uploads ← files.
   *
   * @return the upload, or quarantine {@code invalid_value:original_name} or {@code invalid_value:path}
   */
  public static MappingResult<FileUpload> fileUpload(EduRow row) {
    Source s = new Source(row);
    String name = s.text("original_name");
    if (name == null) {
      return s.quarantine("invalid_value:original_name", "original_name is empty");
    }
    String path = s.text("path");
    if (path == null) {
      return s.quarantine("invalid_value:path", "path is empty");
    }
    return s.ok(
        FileUpload.newBuilder()
            .setId(Source.uuid("files", s.id()))
            .setLegacyId(s.id())
            .setOriginalName(name)
            .setStoragePath(path)
            .setMimeType(s.text("mime_type"))
            .setSizeBytes(s.number("size"))
            .setUploadedBy(s.soft("user_id", USER, "users"))
            .setUploadedAt(s.timestamp("create_date"))
            .setSourceLsn(s.lsn())
            .build());
  }

  /**
   * course_materials ← course_meeting_topic_file.
   *
   * @return the material, or quarantine {@code missing_parent:course_meeting_topic},
   *     {@code missing_parent:course} (the topic's section) or {@code missing_parent:files}
   */
  public static MappingResult<CourseMaterial> material(EduRow row) {
    Source s = new Source(row);
    JsonNode topic = s.derived(TOPIC);
    if (topic == null) {
      return s.quarantine("missing_parent:course_meeting_topic", "topic_id " + s.number("topic_id") + " does not exist");
    }
    JsonNode offering = topic.get(OFFERING);
    if (offering == null || offering.isNull()) {
      return s.quarantine(
          "missing_parent:course", "the topic's course_id " + Rows.longValue(topic, "course_id") + " is not an LMS course offering");
    }
    if (!s.resolved(FILE)) {
      return s.quarantine("missing_parent:files", "file_id " + s.number("file_id") + " is not an LMS file upload");
    }
    String meeting = Rows.text(topic, "meeting_date");
    LocalDate meetingDate = TextDates.parseDate(meeting);
    if (meetingDate == null && meeting != null) {
      s.note("unparseable_date:meeting_date");
    }
    return s.ok(
        CourseMaterial.newBuilder()
            .setId(Source.uuid("course_meeting_topic_file", s.id()))
            .setLegacyId(s.id())
            .setCourseOfferingId(Source.uuid("course", Rows.longValue(topic, "course_id")))
            .setFileUploadId(Source.uuid("files", s.number("file_id")))
            .setTitle(Texts.clean(Rows.text(topic, "topic")))
            .setMeetingDate(meetingDate)
            .setSourceLsn(s.lsn())
            .build());
  }
}
