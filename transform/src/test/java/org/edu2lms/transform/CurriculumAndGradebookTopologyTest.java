package org.edu2lms.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.edu2lms.schemas.LegacyIds;
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
import org.edu2lms.schemas.lms.StaffMember;
import org.edu2lms.schemas.lms.Student;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tables that hang off sections and students (mapping.md §students … §course_materials), value
 * by value, on a small consistent EDU world built in {@link #world()}.
 */
class CurriculumAndGradebookTopologyTest {

  @TempDir Path stateDir;
  private TopologyFixture t;

  @BeforeEach
  void setUp() {
    t = new TopologyFixture(stateDir);
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  private static String uuid(String table, long id) {
    return LegacyIds.forRow(table, id).toString();
  }

  /** dictionaries, points, a year and a semester, a user+person, an org, a plan, a subject, a section, a student. */
  private void world() {
    t.upsert("dictionaries", 1, "\"type_id\":1,\"name_az\":\"Fakültə\",\"name_en\":\"Faculty\",\"name_ru\":\"Факультет\",\"active\":1");
    t.upsert("dictionaries", 2, "\"type_id\":2,\"name_az\":\"Riyaziyyat\",\"name_en\":\"Mathematics\",\"name_ru\":\"\",\"active\":1");
    t.upsert("dictionaries", 6, "\"type_id\":6,\"name_az\":\"İngilis dili\",\"name_en\":\"English\",\"name_ru\":\"Английский\",\"active\":1");
    t.upsert("dictionaries", 7, "\"type_id\":7,\"name_az\":null,\"name_en\":\"Professor\",\"name_ru\":null,\"active\":1");
    t.upsert("dictionaries", 40, "\"type_id\":4,\"name_az\":\"midterm\",\"name_en\":\"Midterm\",\"name_ru\":\"Midterm\",\"active\":1");
    t.upsert("dictionaries", 41, "\"type_id\":4,\"name_az\":\"x\",\"name_en\":\"Oral\",\"name_ru\":\"x\",\"active\":1");
    t.upsert("dictionaries", 30, "\"type_id\":3,\"name_az\":\"Ara imtahan\",\"name_en\":\"Midterm exam\",\"name_ru\":null,\"active\":1");
    for (int v = 0; v <= 10; v++) {
      t.upsert("points", v + 1, "\"value\":\"" + v + ".00\",\"code\":null");
    }
    t.upsert("points", 12, "\"value\":null,\"code\":\"qb\"");
    t.upsert("edu_years", 3, "\"name\":\"2016/2017\",\"start_date\":\"15/09/2016\",\"end_date\":\"30/06/2017\"");
    t.upsert("semesters", 1, "\"dic_id\":100,\"code\":1");
    t.upsert("users", 10, "\"username\":\"u10\",\"email\":\"u10@x.az\",\"password\":\"h\",\"active\":1,\"create_date\":\"01/09/2016 09:00:00\"");
    t.upsert("persons", 20, "\"user_id\":10,\"firstname\":\"Leyla\",\"lastname\":\"Hasanova\",\"gender\":2");
    t.upsert("organizations", 5, "\"parent_id\":null,\"dic_id\":1,\"type_id\":2,\"code\":\"F5\",\"active\":1");
    t.upsert("education_plan", 8, "\"org_id\":5,\"edu_year_id\":3,\"name\":\"Plan\",\"active\":1");
    t.upsert("education_plan_subject", 9, "\"education_plan_id\":8,\"subject_dic_id\":2,\"code\":\" MATH-101 \",\"credit\":\"5.0\",\"hours\":45,\"semester_no\":1");
    t.upsert("course", 50, "\"education_plan_subject_id\":9,\"edu_year_id\":3,\"semester_id\":1,\"language_id\":6,\"group_name\":\"1024a\",\"student_limit\":30,\"active\":1,\"create_date\":\"\"");
    t.upsert("students", 70, "\"person_id\":20,\"org_id\":5,\"card_number\":\" S2016000070 \",\"status\":4,\"admission_year\":2016,\"edu_plan_id\":8");
  }

  @Test
  void termsAreTheCrossProductWithTheirDates() {
    world();
    t.upsert("semesters", 2, "\"dic_id\":101,\"code\":2");
    t.upsert("semesters", 3, "\"dic_id\":102,\"code\":3");
    t.upsert("edu_years", 4, "\"name\":\"bad\",\"start_date\":\"\",\"end_date\":\"\"");
    assertThat(t.all(LmsTopics.ACADEMIC_TERMS)).hasSize(6);
    AcademicTerm fall = t.get(LmsTopics.ACADEMIC_TERMS, LegacyIds.forTerm(3, 1).toString());
    assertThat(fall.getId()).isEqualTo("39a0b594-85bb-512d-80c8-bc18e35a0f76");
    assertThat(fall.getAcademicYear()).isEqualTo("2016/2017");
    assertThat(fall.getTermType()).isEqualTo("fall");
    assertThat(fall.getStartDate()).isEqualTo(LocalDate.of(2016, 9, 15));
    assertThat(fall.getEndDate()).isEqualTo(LocalDate.of(2017, 1, 31));
    AcademicTerm spring = t.get(LmsTopics.ACADEMIC_TERMS, LegacyIds.forTerm(3, 2).toString());
    assertThat(spring.getStartDate()).isEqualTo(LocalDate.of(2017, 2, 1));
    assertThat(spring.getEndDate()).isEqualTo(LocalDate.of(2017, 6, 30));
    AcademicTerm summer = t.get(LmsTopics.ACADEMIC_TERMS, LegacyIds.forTerm(3, 3).toString());
    assertThat(summer.getStartDate()).isEqualTo(LocalDate.of(2017, 7, 1));
    assertThat(summer.getEndDate()).isEqualTo(LocalDate.of(2017, 8, 31));
    AcademicTerm bad = t.get(LmsTopics.ACADEMIC_TERMS, LegacyIds.forTerm(4, 1).toString());
    assertThat(bad.getAcademicYear()).isEqualTo("bad");
    assertThat(bad.getStartDate()).isNull();
    // A semester deleted: its terms are tombstoned, and sections of it wait in quarantine.
    t.delete("semesters", 1);
    assertThat(t.all(LmsTopics.ACADEMIC_TERMS)).hasSize(4).doesNotContainKey(fall.getId());
    assertThat(t.quarantined("course", 50, 0).getReason()).isEqualTo("missing_parent:semesters");

    // Rows that cannot make a term are quarantined themselves, their pairs are no terms, and
    // they come back when repaired (mapping.md is silent; CurriculumMappings.termSourceProblem).
    t.upsert("semesters", 9, "\"dic_id\":103,\"code\":7");
    t.upsert("edu_years", 5, "\"name\":\"  \",\"start_date\":\"\",\"end_date\":\"\"");
    assertThat(t.quarantined("semesters", 9, 0).getReason()).isEqualTo("invalid_value:code");
    assertThat(t.quarantined("edu_years", 5, 0).getReason()).isEqualTo("invalid_value:name");
    assertThat(t.quarantined("edu_years", 3, 0)).isNull();
    assertThat(t.all(LmsTopics.ACADEMIC_TERMS)).hasSize(4).doesNotContainKey(LegacyIds.forTerm(3, 9).toString())
        .doesNotContainKey(LegacyIds.forTerm(5, 2).toString());
    t.upsert("semesters", 9, "\"dic_id\":103,\"code\":1");
    assertThat(t.quarantined("semesters", 9, 0)).isNull();
    assertThat(t.all(LmsTopics.ACADEMIC_TERMS)).hasSize(6).containsKey(LegacyIds.forTerm(3, 9).toString());
  }

  @Test
  void studentAndStaffMember() {
    world();
    Student s = t.get(LmsTopics.STUDENTS, uuid("students", 70));
    assertThat(s.getPersonId()).isEqualTo(uuid("persons", 20));
    assertThat(s.getUserId()).isEqualTo(uuid("users", 10));
    assertThat(s.getOrganizationUnitId()).isEqualTo(uuid("organizations", 5));
    assertThat(s.getStudentNumber()).isEqualTo("S2016000070");
    assertThat(s.getStatus()).isEqualTo("on_leave");
    assertThat(s.getAdmissionYear()).isEqualTo(2016);
    t.upsert("students", 71, "\"person_id\":20,\"org_id\":999,\"card_number\":\"S1\",\"status\":0");
    assertThat(t.get(LmsTopics.STUDENTS, uuid("students", 71)).getStatus()).isEqualTo("inactive");
    assertThat(t.get(LmsTopics.STUDENTS, uuid("students", 71)).getOrganizationUnitId()).isNull();
    // The person loses its user: both the person and its student are quarantined.
    t.delete("users", 10);
    assertThat(t.get(LmsTopics.STUDENTS, uuid("students", 70))).isNull();
    assertThat(t.quarantined("students", 70, 0).getReason()).isEqualTo("missing_parent:persons");
    t.upsert("teachers", 80, "\"person_id\":20,\"org_id\":5,\"position_dic_id\":7,\"status\":0");
    assertThat(t.quarantined("teachers", 80, 0).getReason()).isEqualTo("missing_parent:persons");
    t.upsert("users", 10, "\"username\":\"u10\",\"email\":\"u10@x.az\",\"active\":1");
    StaffMember m = t.get(LmsTopics.STAFF_MEMBERS, uuid("teachers", 80));
    assertThat(m.getUserId()).isEqualTo(uuid("users", 10));
    assertThat(m.getPosition()).isEqualTo("{\"en\":\"Professor\"}");
    assertThat(m.getStatus()).isEqualTo("inactive");
    assertThat(t.get(LmsTopics.STUDENTS, uuid("students", 70)).getStatus()).isEqualTo("on_leave");
    assertThat(t.quarantined("students", 70, 0)).isNull();
  }

  @Test
  void courseOfferingAndComponentAssessments() {
    world();
    Course c = t.get(LmsTopics.COURSES, uuid("education_plan_subject", 9));
    assertThat(c.getCode()).isEqualTo("MATH-101");
    assertThat(c.getName()).isEqualTo("{\"az\":\"Riyaziyyat\",\"en\":\"Mathematics\"}");
    assertThat(c.getCreditHours()).isEqualTo("5.0");
    assertThat(c.getContactHours()).isEqualTo(45);
    assertThat(c.getOrganizationUnitId()).isEqualTo(uuid("organizations", 5));
    assertThat(c.getRecommendedSemester()).isEqualTo(1);
    CourseOffering o = t.get(LmsTopics.COURSE_OFFERINGS, uuid("course", 50));
    assertThat(o.getCourseId()).isEqualTo(uuid("education_plan_subject", 9));
    assertThat(o.getAcademicTermId()).isEqualTo(LegacyIds.forTerm(3, 1).toString());
    assertThat(o.getSectionCode()).isEqualTo("1024a");
    assertThat(o.getLanguage()).isEqualTo("en");
    assertThat(o.getMaxEnrollment()).isEqualTo(30);
    assertThat(o.getIsActive()).isTrue();
    for (int n = 1; n <= 3; n++) {
      Assessment a = t.get(LmsTopics.ASSESSMENTS, LegacyIds.forComponent(50, n).toString());
      assertThat(a.getLegacyExamId()).isNull();
      assertThat(a.getCourseOfferingId()).isEqualTo(o.getId());
      assertThat(a.getTotalMarks()).isEqualTo("10");
      assertThat(a.getAssessmentType()).isEqualTo(new String[] {"seminar", "colloquium", "independent_work"}[n - 1]);
    }
    assertThat(t.get(LmsTopics.ASSESSMENTS, LegacyIds.forComponent(50, 3).toString()).getTitle())
        .isEqualTo("{\"az\":\"Sərbəst iş\",\"en\":\"Independent work\",\"ru\":\"Самостоятельная работа\"}");
    // The catalog entry goes: the section is quarantined and its component assessments vanish.
    t.delete("education_plan_subject", 9);
    assertThat(t.get(LmsTopics.COURSE_OFFERINGS, uuid("course", 50))).isNull();
    assertThat(t.quarantined("course", 50, 0).getReason()).isEqualTo("missing_parent:education_plan_subject");
    assertThat(t.all(LmsTopics.ASSESSMENTS)).isEmpty();
    // The plan goes: the course keeps no organization (soft), it is not quarantined.
    t.upsert("education_plan_subject", 9, "\"education_plan_id\":888,\"subject_dic_id\":2,\"code\":\"M\",\"credit\":null,\"hours\":null,\"semester_no\":null");
    assertThat(t.get(LmsTopics.COURSES, uuid("education_plan_subject", 9)).getOrganizationUnitId()).isNull();
    assertThat(t.get(LmsTopics.COURSE_OFFERINGS, uuid("course", 50))).isNotNull();
    assertThat(t.all(LmsTopics.ASSESSMENTS)).hasSize(3);
  }

  @Test
  void instructorsEnrollmentsExamsAndSubmissions() {
    world();
    t.upsert("teachers", 80, "\"person_id\":20,\"org_id\":5,\"position_dic_id\":999,\"status\":1");
    t.upsert("course_teacher", 90, "\"course_id\":50,\"teacher_id\":80,\"lesson_type\":2,\"active\":1");
    t.upsert("course_teacher", 91, "\"course_id\":50,\"teacher_id\":80,\"lesson_type\":7,\"active\":1");
    t.upsert("course_teacher", 92, "\"course_id\":50,\"teacher_id\":81,\"lesson_type\":1,\"active\":1");
    CourseInstructor i = t.get(LmsTopics.COURSE_INSTRUCTORS, uuid("course_teacher", 90));
    assertThat(i.getRole()).isEqualTo("seminar_leader");
    assertThat(i.getStaffMemberId()).isEqualTo(uuid("teachers", 80));
    assertThat(t.get(LmsTopics.STAFF_MEMBERS, uuid("teachers", 80)).getPosition()).isNull();
    assertThat(t.quarantined("course_teacher", 91, 0).getReason()).isEqualTo("invalid_value:lesson_type");
    assertThat(t.quarantined("course_teacher", 92, 0).getReason()).isEqualTo("missing_parent:teachers");

    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":0,\"total_point\":\"87.50\",\"letter_grade\":\"B\",\"retake\":1,\"create_date\":\"01.02.2017\"");
    t.upsert("journal", 101, "\"course_id\":50,\"student_id\":7777,\"active\":1,\"retake\":0");
    t.upsert("journal", 102, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":null");
    t.upsert("journal", 103, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":32767");
    t.upsert("journal", 104, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":32766");
    CourseEnrollment e = t.get(LmsTopics.COURSE_ENROLLMENTS, uuid("journal", 100));
    assertThat(e.getCourseOfferingId()).isEqualTo(uuid("course", 50));
    assertThat(e.getStudentId()).isEqualTo(uuid("students", 70));
    assertThat(e.getAttemptNo()).isEqualTo(2);
    assertThat(e.getEnrollmentStatus()).isEqualTo("completed");
    assertThat(e.getGradeLetter()).isEqualTo("B");
    assertThat(e.getGradePoints()).isEqualTo("87.50");
    assertThat(e.getEnrolledAt()).isEqualTo(Instant.parse("2017-01-31T20:00:00Z"));
    assertThat(t.quarantined("journal", 101, 0).getReason()).isEqualTo("missing_parent:students");
    assertThat(t.quarantined("journal", 102, 0).getReason()).isEqualTo("invalid_value:retake");
    // attempt_no is a smallint: retake 32767 has no attempt number, 32766 is the last that has one.
    assertThat(t.quarantined("journal", 103, 0).getReason()).isEqualTo("invalid_value:retake");
    assertThat(t.get(LmsTopics.COURSE_ENROLLMENTS, uuid("journal", 104)).getAttemptNo()).isEqualTo(32767);

    t.upsert("exam", 200, "\"course_id\":50,\"exam_type_dic_id\":40,\"title_dic_id\":30,\"max_point\":\"100.00\",\"pass_point\":\"51.00\",\"duration_min\":90,\"exam_date\":\"10/01/2017 09:30\"");
    t.upsert("exam", 201, "\"course_id\":50,\"exam_type_dic_id\":41,\"title_dic_id\":30");
    t.upsert("exam", 202, "\"course_id\":50,\"exam_type_dic_id\":49,\"title_dic_id\":30");
    t.upsert("exam", 203, "\"course_id\":50,\"exam_type_dic_id\":40,\"title_dic_id\":39");
    Assessment a = t.get(LmsTopics.ASSESSMENTS, uuid("exam", 200));
    assertThat(a.getLegacyExamId()).isEqualTo(200);
    assertThat(a.getAssessmentType()).isEqualTo("midterm");
    assertThat(a.getTitle()).isEqualTo("{\"az\":\"Ara imtahan\",\"en\":\"Midterm exam\"}");
    assertThat(a.getTotalMarks()).isEqualTo("100.00");
    assertThat(a.getPassingMarks()).isEqualTo("51.00");
    assertThat(a.getDurationMinutes()).isEqualTo(90);
    assertThat(a.getScheduledAt()).isEqualTo(Instant.parse("2017-01-10T05:30:00Z"));
    assertThat(t.quarantined("exam", 201, 0).getReason()).isEqualTo("invalid_value:exam_type_dic_id");
    assertThat(t.quarantined("exam", 202, 0).getReason()).isEqualTo("missing_parent:dictionaries");
    assertThat(t.quarantined("exam", 203, 0).getReason()).isEqualTo("missing_parent:dictionaries");

    t.upsert("exam_result", 300, "\"exam_id\":200,\"student_id\":70,\"attempt\":1,\"point\":\"64.50\",\"status\":1,\"submit_date\":\"10/01/2017 11:00:00\"");
    t.upsert("exam_result", 301, "\"exam_id\":201,\"student_id\":70,\"attempt\":1,\"status\":1");
    t.upsert("exam_result", 302, "\"exam_id\":200,\"student_id\":70,\"attempt\":2,\"status\":5");
    t.upsert("exam_result", 303, "\"exam_id\":200,\"student_id\":70,\"attempt\":null,\"status\":0");
    AssessmentSubmission r = t.get(LmsTopics.ASSESSMENT_SUBMISSIONS, uuid("exam_result", 300));
    assertThat(r.getAssessmentId()).isEqualTo(uuid("exam", 200));
    assertThat(r.getAttemptNumber()).isEqualTo(1);
    assertThat(r.getScore()).isEqualTo("64.50");
    assertThat(r.getStatus()).isEqualTo("graded");
    assertThat(r.getSubmittedAt()).isEqualTo(Instant.parse("2017-01-10T07:00:00Z"));
    assertThat(t.quarantined("exam_result", 301, 0).getReason()).isEqualTo("missing_parent:exam");
    assertThat(t.quarantined("exam_result", 302, 0).getReason()).isEqualTo("invalid_value:status");
    assertThat(t.quarantined("exam_result", 303, 0).getReason()).isEqualTo("invalid_value:attempt");
  }

  @Test
  void gradesOnePerMarkWithAbsenceAndMissingPoints() {
    world();
    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    t.upsert("journal_details", 1000, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":null,\"point_id_2\":null,\"point_id_3\":null");
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":9,\"point_id_2\":null,\"point_id_3\":null");
    t.upsert("journal_details", 1002, "\"journal_id\":100,\"lesson_date\":\"31/02/2016\",\"point_id_1\":null,\"point_id_2\":12,\"point_id_3\":1");
    t.upsert("journal_details", 1003, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":11,\"point_id_2\":99,\"point_id_3\":12");
    assertThat(t.all(LmsTopics.GRADES).keySet()).containsExactlyInAnyOrder(
        LegacyIds.forGrade(1001, 1).toString(),
        LegacyIds.forGrade(1002, 2).toString(),
        LegacyIds.forGrade(1002, 3).toString(),
        LegacyIds.forGrade(1003, 1).toString(),
        LegacyIds.forGrade(1003, 3).toString());
    Grade g = t.get(LmsTopics.GRADES, LegacyIds.forGrade(1001, 1).toString());
    assertThat(g.getLegacyDetailId()).isEqualTo(1001);
    assertThat(g.getComponent()).isEqualTo(1);
    assertThat(g.getAssessmentId()).isEqualTo(LegacyIds.forComponent(50, 1).toString());
    assertThat(g.getEnrollmentId()).isEqualTo(uuid("journal", 100));
    assertThat(g.getStudentId()).isEqualTo(uuid("students", 70));
    assertThat(g.getMarksObtained()).isEqualTo("8.00");
    assertThat(g.getIsAbsent()).isFalse();
    assertThat(g.getGradedOn()).isEqualTo(LocalDate.of(2016, 10, 3));
    Grade absent = t.get(LmsTopics.GRADES, LegacyIds.forGrade(1002, 2).toString());
    assertThat(absent.getIsAbsent()).isTrue();
    assertThat(absent.getMarksObtained()).isNull();
    assertThat(absent.getGradedOn()).isNull();
    assertThat(t.get(LmsTopics.NOTES, LmsTopics.quarantineKey("journal_details", 1002, 2))).isEqualTo("unparseable_date:lesson_date");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1002, 3).toString()).getMarksObtained()).isEqualTo("0.00");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1003, 1).toString()).getMarksObtained()).isEqualTo("10.00");
    assertThat(t.quarantined("journal_details", 1003, 2).getReason()).isEqualTo("missing_parent:points");
    assertThat(t.quarantined("journal_details", 1003, 2).getComponent()).isEqualTo(2);
    assertThat(t.quarantined("journal_details", 1003, 1)).isNull();
    // A mark removed by an update: its grade goes.
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":null,\"point_id_2\":null,\"point_id_3\":null");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1001, 1).toString())).isNull();
    // The enrollment is deleted: every mark is quarantined with its component.
    t.delete("journal", 100);
    assertThat(t.all(LmsTopics.GRADES)).isEmpty();
    assertThat(t.quarantined("journal_details", 1002, 2).getReason()).isEqualTo("missing_parent:journal");
    assertThat(t.quarantined("journal_details", 1002, 3).getReason()).isEqualTo("missing_parent:journal");
    assertThat(t.quarantined("journal_details", 1003, 2).getReason()).isEqualTo("missing_parent:journal");
    assertThat(t.quarantined("journal_details", 1002, 1)).isNull();
    // It comes back: the grades return and the quarantine empties.
    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    assertThat(t.all(LmsTopics.GRADES)).hasSize(4);
    assertThat(t.quarantined("journal_details", 1002, 2)).isNull();
    assertThat(t.quarantined("journal_details", 1003, 2).getReason()).isEqualTo("missing_parent:points");
  }

  @Test
  void gradeTombstonesAreSentOnlyForSlotsThatMayHaveBeenLive() {
    world();
    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    int grades = t.emitted(LmsTopics.GRADES);

    // A new row with one mark of three: one record, no tombstone for the two empty slots.
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":9,\"point_id_2\":null,\"point_id_3\":null");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 1);
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1001, 1).toString()).getMarksObtained()).isEqualTo("8.00");

    // Updated (a new LSN, the same mark): its grade again, and no tombstone for the two slots whose
    // point id was NULL before (no grade of them can be live).
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":9,\"point_id_2\":null,\"point_id_3\":null");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 2);

    // Its mark moves to slot 2: slot 1, set before, is tombstoned; slot 3 sends nothing.
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":null,\"point_id_2\":9,\"point_id_3\":null");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 4);
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1001, 1).toString())).isNull();
    assertThat(t.all(LmsTopics.GRADES)).containsOnlyKeys(LegacyIds.forGrade(1001, 2).toString());

    // A mark that does not map (unknown point 99) in slot 3 is quarantined; slot 3 may now hold a
    // grade as far as the next change can tell, so clearing it sends a tombstone, and so does slot 2.
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":null,\"point_id_2\":9,\"point_id_3\":99");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 5);
    assertThat(t.quarantined("journal_details", 1001, 3).getReason()).isEqualTo("missing_parent:points");
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":null,\"point_id_2\":null,\"point_id_3\":null");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 7);
    assertThat(t.all(LmsTopics.GRADES)).isEmpty();
    assertThat(t.quarantined("journal_details", 1001, 3)).isNull();

    // Marked again in slot 2, then deleted: one tombstone, for the slot that was set; inserted
    // again with one mark: one record.
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":null,\"point_id_2\":9,\"point_id_3\":null");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 8);
    t.delete("journal_details", 1001);
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 9);
    assertThat(t.all(LmsTopics.GRADES)).isEmpty();
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":null,\"point_id_2\":null,\"point_id_3\":3");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 10);
    assertThat(t.all(LmsTopics.GRADES)).containsOnlyKeys(LegacyIds.forGrade(1001, 3).toString());

    // A row first derived without its enrollment (quarantined, no grade), then re-derived by the
    // journal's arrival: a parent-driven re-derivation carries no summary of the row before, so it
    // sends all three slots.
    t.upsert("journal_details", 1002, "\"journal_id\":101,\"lesson_date\":\"03/10/2016\",\"point_id_1\":9,\"point_id_2\":null,\"point_id_3\":null");
    assertThat(t.quarantined("journal_details", 1002, 1).getReason()).isEqualTo("missing_parent:journal");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 10);
    t.upsert("journal", 101, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 13);
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1002, 1).toString()).getMarksObtained()).isEqualTo("8.00");
    assertThat(t.quarantined("journal_details", 1002, 1)).isNull();
    // The summary of the row before stays inside the transform.
    assertThat(t.headerKeys(LmsTopics.GRADES)).isEmpty();
    assertThat(t.headerKeys(LmsTopics.QUARANTINE)).isEmpty();
  }

  @Test
  void aPointsChangeReDerivesTheGradesThatReferenceItAndNoOthers() {
    world();
    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":9,\"point_id_2\":null,\"point_id_3\":null");
    t.upsert("journal_details", 1002, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":3,\"point_id_2\":null,\"point_id_3\":9");
    t.upsert("journal_details", 1003, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":4,\"point_id_2\":null,\"point_id_3\":null");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1001, 1).toString()).getMarksObtained()).isEqualTo("8.00");
    int grades = t.emitted(LmsTopics.GRADES);

    // A changed point: the two rows that reference it are re-derived (3 grade records each), 1003 is not.
    t.upsert("points", 9, "\"value\":\"8.50\",\"code\":null");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1001, 1).toString()).getMarksObtained()).isEqualTo("8.50");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1002, 3).toString()).getMarksObtained()).isEqualTo("8.50");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1002, 1).toString()).getMarksObtained()).isEqualTo("2.00");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 6);

    // The same row again: nothing is re-derived.
    t.upsert("points", 9, "\"value\":\"8.50\",\"code\":null");
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades + 6);

    // Deleted: its marks are quarantined with their component; the others stay.
    t.delete("points", 9);
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1001, 1).toString())).isNull();
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1002, 3).toString())).isNull();
    assertThat(t.quarantined("journal_details", 1001, 1).getReason()).isEqualTo("missing_parent:points");
    assertThat(t.quarantined("journal_details", 1002, 3).getReason()).isEqualTo("missing_parent:points");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1002, 1).toString()).getMarksObtained()).isEqualTo("2.00");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1003, 1).toString()).getMarksObtained()).isEqualTo("3.00");

    // A late point: the marks come back and leave the quarantine.
    t.upsert("points", 9, "\"value\":\"9.00\",\"code\":null");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1001, 1).toString()).getMarksObtained()).isEqualTo("9.00");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1002, 3).toString()).getMarksObtained()).isEqualTo("9.00");
    assertThat(t.quarantined("journal_details", 1001, 1)).isNull();
    assertThat(t.quarantined("journal_details", 1002, 3)).isNull();

    // A row arriving after the point change sees the new value.
    t.upsert("journal_details", 1004, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":9,\"point_id_2\":null,\"point_id_3\":null");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1004, 1).toString()).getMarksObtained()).isEqualTo("9.00");
  }

  @Test
  void quarantineAndNotesTombstonesAreSentOnlyForRecordsThatWereLive() {
    world();
    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    int quarantine = t.emitted(LmsTopics.QUARANTINE);
    int notes = t.emitted(LmsTopics.NOTES);

    // Accepted without notes, then updated: no quarantine or notes record at all.
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":9,\"point_id_2\":3,\"point_id_3\":null");
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"04/10/2016\",\"point_id_1\":9,\"point_id_2\":3,\"point_id_3\":null");
    assertThat(t.emitted(LmsTopics.QUARANTINE)).isEqualTo(quarantine);
    assertThat(t.emitted(LmsTopics.NOTES)).isEqualTo(notes);

    // Component 2 quarantined: one record; fixed: one tombstone; fixed again: nothing more.
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"04/10/2016\",\"point_id_1\":9,\"point_id_2\":99,\"point_id_3\":null");
    assertThat(t.quarantined("journal_details", 1001, 2).getReason()).isEqualTo("missing_parent:points");
    assertThat(t.emitted(LmsTopics.QUARANTINE)).isEqualTo(quarantine + 1);
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"04/10/2016\",\"point_id_1\":9,\"point_id_2\":3,\"point_id_3\":null");
    assertThat(t.quarantined("journal_details", 1001, 2)).isNull();
    assertThat(t.emitted(LmsTopics.QUARANTINE)).isEqualTo(quarantine + 2);
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"05/10/2016\",\"point_id_1\":9,\"point_id_2\":3,\"point_id_3\":null");
    assertThat(t.emitted(LmsTopics.QUARANTINE)).isEqualTo(quarantine + 2);

    // Notes: an unparseable date notes both marks; the row deleted: both notes tombstoned, once.
    t.upsert("journal_details", 1001, "\"journal_id\":100,\"lesson_date\":\"31/02/2016\",\"point_id_1\":9,\"point_id_2\":3,\"point_id_3\":null");
    assertThat(t.get(LmsTopics.NOTES, LmsTopics.quarantineKey("journal_details", 1001, 1))).isEqualTo("unparseable_date:lesson_date");
    assertThat(t.get(LmsTopics.NOTES, LmsTopics.quarantineKey("journal_details", 1001, 2))).isEqualTo("unparseable_date:lesson_date");
    assertThat(t.emitted(LmsTopics.NOTES)).isEqualTo(notes + 2);
    t.delete("journal_details", 1001);
    assertThat(t.all(LmsTopics.NOTES)).doesNotContainKey(LmsTopics.quarantineKey("journal_details", 1001, 1));
    assertThat(t.emitted(LmsTopics.NOTES)).isEqualTo(notes + 4);
    assertThat(t.emitted(LmsTopics.QUARANTINE)).isEqualTo(quarantine + 2);

    // A one-slot table the same way: a quarantined exam result, then the same row accepted.
    t.upsert("exam_result", 301, "\"exam_id\":999,\"student_id\":70,\"attempt\":1,\"status\":1");
    assertThat(t.quarantined("exam_result", 301, 0).getReason()).isEqualTo("missing_parent:exam");
    assertThat(t.emitted(LmsTopics.QUARANTINE)).isEqualTo(quarantine + 3);
    t.delete("exam_result", 301);
    assertThat(t.quarantined("exam_result", 301, 0)).isNull();
    assertThat(t.emitted(LmsTopics.QUARANTINE)).isEqualTo(quarantine + 4);
  }

  @Test
  void filesAndMaterialsKeepTheTopicTextOverUnchangedToastUpdates() {
    world();
    String longTopic = "Limits and continuity. ".repeat(300);
    t.upsert("course_meeting_topic", 400, "\"course_id\":50,\"topic\":\"" + longTopic + "\",\"meeting_date\":\"05/10/2016\"");
    t.upsert("files", 500, "\"original_name\":\" notes.pdf \",\"path\":\"/s/1.pdf\",\"mime_type\":\"application/pdf\",\"size\":2048,\"user_id\":10,\"create_date\":\"05/10/2016 08:00:00\"");
    t.upsert("files", 501, "\"original_name\":\"x\",\"path\":\"/s/2\",\"mime_type\":null,\"size\":1,\"user_id\":123456,\"create_date\":\"\"");
    t.upsert("files", 502, "\"original_name\":\"  \",\"path\":\"/s/3\"");
    t.upsert("course_meeting_topic_file", 600, "\"topic_id\":400,\"file_id\":500");
    t.upsert("course_meeting_topic_file", 601, "\"topic_id\":499,\"file_id\":500");
    t.upsert("course_meeting_topic_file", 602, "\"topic_id\":400,\"file_id\":502");
    FileUpload f = t.get(LmsTopics.FILE_UPLOADS, uuid("files", 500));
    assertThat(f.getOriginalName()).isEqualTo("notes.pdf");
    assertThat(f.getStoragePath()).isEqualTo("/s/1.pdf");
    assertThat(f.getSizeBytes()).isEqualTo(2048L);
    assertThat(f.getUploadedBy()).isEqualTo(uuid("users", 10));
    assertThat(f.getUploadedAt()).isEqualTo(Instant.parse("2016-10-05T04:00:00Z"));
    assertThat(t.get(LmsTopics.FILE_UPLOADS, uuid("files", 501)).getUploadedBy()).as("soft").isNull();
    assertThat(t.get(LmsTopics.NOTES, LmsTopics.quarantineKey("files", 501, 0)))
        .isEqualTo("soft_reference_null:user_id,unparseable_date:create_date");
    assertThat(t.get(LmsTopics.NOTES, LmsTopics.quarantineKey("files", 500, 0))).isNull();
    assertThat(t.quarantined("files", 502, 0).getReason()).isEqualTo("invalid_value:original_name");
    CourseMaterial m = t.get(LmsTopics.COURSE_MATERIALS, uuid("course_meeting_topic_file", 600));
    assertThat(m.getCourseOfferingId()).isEqualTo(uuid("course", 50));
    assertThat(m.getFileUploadId()).isEqualTo(uuid("files", 500));
    assertThat(m.getTitle()).isEqualTo(longTopic.trim()).hasSize(longTopic.trim().length());
    assertThat(m.getMeetingDate()).isEqualTo(LocalDate.of(2016, 10, 5));
    assertThat(t.quarantined("course_meeting_topic_file", 601, 0).getReason()).isEqualTo("missing_parent:course_meeting_topic");
    assertThat(t.quarantined("course_meeting_topic_file", 602, 0).getReason()).isEqualTo("missing_parent:files");
    // An update that does not touch the TOASTed topic carries Debezium's placeholder.
    t.upsert("course_meeting_topic", 400, "\"course_id\":50,\"topic\":\"" + EduToLmsTopology.UNAVAILABLE_VALUE + "\",\"meeting_date\":\"06/10/2016\"");
    m = t.get(LmsTopics.COURSE_MATERIALS, uuid("course_meeting_topic_file", 600));
    assertThat(m.getTitle()).isEqualTo(longTopic.trim());
    assertThat(m.getMeetingDate()).isEqualTo(LocalDate.of(2016, 10, 6));
    // The topic's section is quarantined: the material waits with missing_parent:course.
    t.delete("course", 50);
    assertThat(t.quarantined("course_meeting_topic_file", 600, 0).getReason()).isEqualTo("missing_parent:course");
  }

  @Test
  void changingAReferenceReDerivesEveryDependentRow() {
    world();
    t.upsert("course", 51, "\"education_plan_subject_id\":9,\"edu_year_id\":3,\"semester_id\":1,\"language_id\":6,\"group_name\":\"1024b\",\"active\":1");
    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    t.upsert("journal_details", 1000, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":5");
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1000, 1).toString()).getAssessmentId())
        .isEqualTo(LegacyIds.forComponent(50, 1).toString());
    // The journal row moves to another section: the enrollment and its grade follow.
    t.upsert("journal", 100, "\"course_id\":51,\"student_id\":70,\"active\":1,\"retake\":0");
    assertThat(t.get(LmsTopics.COURSE_ENROLLMENTS, uuid("journal", 100)).getCourseOfferingId()).isEqualTo(uuid("course", 51));
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1000, 1).toString()).getAssessmentId())
        .isEqualTo(LegacyIds.forComponent(51, 1).toString());
    // The person is re-pointed to another user: the student's user follows.
    t.upsert("users", 11, "\"username\":\"u11\",\"email\":null,\"active\":1");
    t.upsert("persons", 20, "\"user_id\":11,\"firstname\":\"Leyla\",\"lastname\":\"Hasanova\",\"gender\":2");
    assertThat(t.get(LmsTopics.PERSONS, uuid("persons", 20)).getUserId()).isEqualTo(uuid("users", 11));
    assertThat(t.get(LmsTopics.STUDENTS, uuid("students", 70)).getUserId()).isEqualTo(uuid("users", 11));
    // Re-pointed to a user that does not exist: the person, its student, the enrollment and the grade all leave.
    t.upsert("persons", 20, "\"user_id\":12,\"firstname\":\"Leyla\",\"lastname\":\"Hasanova\",\"gender\":2");
    assertThat(t.quarantined("persons", 20, 0).getReason()).isEqualTo("missing_parent:users");
    assertThat(t.quarantined("students", 70, 0).getReason()).isEqualTo("missing_parent:persons");
    assertThat(t.quarantined("journal", 100, 0).getReason()).isEqualTo("missing_parent:students");
    assertThat(t.quarantined("journal_details", 1000, 1).getReason()).isEqualTo("missing_parent:journal");
    assertThat(t.all(LmsTopics.GRADES)).isEmpty();
  }

  /**
   * A journal change is multicast to the grades' tasks only when it moves what they hold of it:
   * its course and student while it maps as an enrollment, nothing while it does not
   * (DropUnchangedProjection). A row re-derived by a parent change is always sent.
   */
  @Test
  void aJournalChangeReachesTheGradesTasksOnlyWhenWhatTheyHoldMoves() {
    world();
    String multicast = "grades-journal-enrollment-broadcast-repartition";
    t.upsert("course", 51, "\"education_plan_subject_id\":9,\"edu_year_id\":3,\"semester_id\":1,\"language_id\":6,\"group_name\":\"1024b\",\"active\":1");
    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    t.upsert("journal_details", 1000, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":5");
    String grade = LegacyIds.forGrade(1000, 1).toString();
    assertThat(t.get(LmsTopics.GRADES, grade).getAssessmentId()).isEqualTo(LegacyIds.forComponent(50, 1).toString());
    assertThat(t.internalRecords(multicast)).isEqualTo(1);
    int grades = t.emitted(LmsTopics.GRADES);

    // Status, letter and date change: the enrollment follows; the grades hold nothing of them.
    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":0,\"retake\":0,\"letter_grade\":\"A\",\"create_date\":\"01.02.2017\"");
    assertThat(t.get(LmsTopics.COURSE_ENROLLMENTS, uuid("journal", 100)).getEnrollmentStatus()).isEqualTo("completed");
    assertThat(t.internalRecords(multicast)).isEqualTo(1);
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades);

    // It moves to another section: sent, and the grade follows.
    t.upsert("journal", 100, "\"course_id\":51,\"student_id\":70,\"active\":0,\"retake\":0");
    assertThat(t.internalRecords(multicast)).isEqualTo(2);
    assertThat(t.get(LmsTopics.GRADES, grade).getAssessmentId()).isEqualTo(LegacyIds.forComponent(51, 1).toString());

    // It stops mapping (retake NULL): sent as a withdrawal, the grade waits in quarantine.
    t.upsert("journal", 100, "\"course_id\":51,\"student_id\":70,\"active\":0,\"retake\":null");
    assertThat(t.internalRecords(multicast)).isEqualTo(3);
    assertThat(t.get(LmsTopics.GRADES, grade)).isNull();
    assertThat(t.quarantined("journal_details", 1000, 1).getReason()).isEqualTo("missing_parent:journal");
    // Still not mapping, another value: nothing sent.
    t.upsert("journal", 100, "\"course_id\":51,\"student_id\":70,\"active\":1,\"retake\":null");
    assertThat(t.internalRecords(multicast)).isEqualTo(3);
    // It maps again: sent, the grade is back.
    t.upsert("journal", 100, "\"course_id\":51,\"student_id\":70,\"active\":1,\"retake\":0");
    assertThat(t.internalRecords(multicast)).isEqualTo(4);
    assertThat(t.get(LmsTopics.GRADES, grade).getEnrollmentId()).isEqualTo(uuid("journal", 100));

    // Its section goes and comes back: each re-derivation of the journal row is sent.
    t.delete("course", 51);
    assertThat(t.internalRecords(multicast)).isEqualTo(5);
    assertThat(t.quarantined("journal_details", 1000, 1).getReason()).isEqualTo("missing_parent:journal");
    t.upsert("course", 51, "\"education_plan_subject_id\":9,\"edu_year_id\":3,\"semester_id\":1,\"language_id\":6,\"group_name\":\"1024b\",\"active\":1");
    assertThat(t.internalRecords(multicast)).isEqualTo(6);
    assertThat(t.get(LmsTopics.GRADES, grade).getAssessmentId()).isEqualTo(LegacyIds.forComponent(51, 1).toString());
    assertThat(t.quarantined("journal_details", 1000, 1)).isNull();

    // Deleted: sent once.
    t.delete("journal", 100);
    assertThat(t.internalRecords(multicast)).isEqualTo(7);
    assertThat(t.get(LmsTopics.GRADES, grade)).isNull();
    assertThat(t.headerKeys(LmsTopics.COURSE_ENROLLMENTS)).isEmpty();
    assertThat(t.headerKeys(LmsTopics.QUARANTINE)).isEmpty();
  }

  /**
   * journal, exam_result and journal_details look their parents up in their task's own copies
   * (BroadcastLookup): a child that changes its foreign key leaves the old parent's reverse index,
   * so only its new parent's changes re-derive it; a parent change that leaves what the child
   * derives as it was emits nothing.
   */
  @Test
  void aChildFollowsOnlyItsCurrentParentAndAnUnchangedParentEmitsNothing() {
    world();
    t.upsert("course", 51, "\"education_plan_subject_id\":9,\"edu_year_id\":3,\"semester_id\":1,\"language_id\":6,\"group_name\":\"1024b\",\"active\":1");
    t.upsert("exam", 200, "\"course_id\":50,\"exam_type_dic_id\":40,\"title_dic_id\":30");
    t.upsert("exam", 201, "\"course_id\":51,\"exam_type_dic_id\":40,\"title_dic_id\":30");
    t.upsert("journal", 100, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    t.upsert("journal", 101, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    t.upsert("exam_result", 300, "\"exam_id\":200,\"student_id\":70,\"attempt\":1,\"status\":1");
    t.upsert("journal_details", 1000, "\"journal_id\":100,\"lesson_date\":\"03/10/2016\",\"point_id_1\":5");
    assertThat(t.get(LmsTopics.COURSE_ENROLLMENTS, uuid("journal", 100)).getCourseOfferingId()).isEqualTo(uuid("course", 50));

    // An update of a parent that changes nothing its children derive emits none of them.
    int enrollments = t.emitted(LmsTopics.COURSE_ENROLLMENTS);
    int submissions = t.emitted(LmsTopics.ASSESSMENT_SUBMISSIONS);
    int grades = t.emitted(LmsTopics.GRADES);
    t.upsert("course", 50, "\"education_plan_subject_id\":9,\"edu_year_id\":3,\"semester_id\":1,\"language_id\":6,\"group_name\":\"1024a\",\"student_limit\":31,\"active\":1,\"create_date\":\"\"");
    t.upsert("students", 70, "\"person_id\":20,\"org_id\":5,\"card_number\":\" S2016000070 \",\"status\":4,\"admission_year\":2017,\"edu_plan_id\":8");
    assertThat(t.emitted(LmsTopics.COURSE_ENROLLMENTS)).isEqualTo(enrollments);
    assertThat(t.emitted(LmsTopics.ASSESSMENT_SUBMISSIONS)).isEqualTo(submissions);
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades);

    // Children move to other parents.
    t.upsert("journal", 100, "\"course_id\":51,\"student_id\":70,\"active\":1,\"retake\":0");
    t.upsert("exam_result", 300, "\"exam_id\":201,\"student_id\":70,\"attempt\":1,\"status\":1");
    t.upsert("journal_details", 1000, "\"journal_id\":101,\"lesson_date\":\"03/10/2016\",\"point_id_1\":5");
    assertThat(t.get(LmsTopics.COURSE_ENROLLMENTS, uuid("journal", 100)).getCourseOfferingId()).isEqualTo(uuid("course", 51));
    assertThat(t.get(LmsTopics.ASSESSMENT_SUBMISSIONS, uuid("exam_result", 300)).getAssessmentId()).isEqualTo(uuid("exam", 201));
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1000, 1).toString()).getEnrollmentId()).isEqualTo(uuid("journal", 101));

    // Their old parents go: nothing of theirs changes.
    enrollments = t.emitted(LmsTopics.COURSE_ENROLLMENTS);
    submissions = t.emitted(LmsTopics.ASSESSMENT_SUBMISSIONS);
    grades = t.emitted(LmsTopics.GRADES);
    t.delete("exam", 200);
    t.delete("journal", 100);
    assertThat(t.emitted(LmsTopics.ASSESSMENT_SUBMISSIONS)).isEqualTo(submissions);
    assertThat(t.emitted(LmsTopics.GRADES)).isEqualTo(grades);
    assertThat(t.emitted(LmsTopics.COURSE_ENROLLMENTS)).isEqualTo(enrollments + 1); // journal 100's own tombstone
    assertThat(t.get(LmsTopics.COURSE_ENROLLMENTS, uuid("journal", 100))).isNull();
    assertThat(t.get(LmsTopics.ASSESSMENT_SUBMISSIONS, uuid("exam_result", 300))).isNotNull();
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1000, 1).toString())).isNotNull();

    // Their new parents go: they follow into quarantine, and come back with them.
    t.delete("exam", 201);
    t.delete("journal", 101);
    assertThat(t.quarantined("exam_result", 300, 0).getReason()).isEqualTo("missing_parent:exam");
    assertThat(t.quarantined("journal_details", 1000, 1).getReason()).isEqualTo("missing_parent:journal");
    assertThat(t.get(LmsTopics.ASSESSMENT_SUBMISSIONS, uuid("exam_result", 300))).isNull();
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1000, 1).toString())).isNull();
    t.upsert("exam", 201, "\"course_id\":51,\"exam_type_dic_id\":40,\"title_dic_id\":30");
    t.upsert("journal", 101, "\"course_id\":50,\"student_id\":70,\"active\":1,\"retake\":0");
    assertThat(t.get(LmsTopics.ASSESSMENT_SUBMISSIONS, uuid("exam_result", 300)).getAssessmentId()).isEqualTo(uuid("exam", 201));
    assertThat(t.get(LmsTopics.GRADES, LegacyIds.forGrade(1000, 1).toString()).getEnrollmentId()).isEqualTo(uuid("journal", 101));
    assertThat(t.quarantined("exam_result", 300, 0)).isNull();
    assertThat(t.quarantined("journal_details", 1000, 1)).isNull();

    // A deleted child leaves the index: its parent's later change does not bring it back.
    t.delete("exam_result", 300);
    t.delete("exam", 201);
    t.upsert("exam", 201, "\"course_id\":51,\"exam_type_dic_id\":40,\"title_dic_id\":30");
    assertThat(t.get(LmsTopics.ASSESSMENT_SUBMISSIONS, uuid("exam_result", 300))).isNull();
    assertThat(t.quarantined("exam_result", 300, 0)).isNull();
  }
}
