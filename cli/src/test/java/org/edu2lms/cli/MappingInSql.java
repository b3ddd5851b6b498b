package org.edu2lms.cli;

import java.util.List;
import java.util.stream.Collectors;

/**
 * mapping.md written a second time, in SQL over EDU, for the tests: what every LMS table and the
 * quarantine must hold, next to the SQL that reads what they do hold. Shares no code with the
 * transform (nothing here imports it): rows are keyed by EDU ids, so no UUID is computed; a
 * reference is compared as the referenced row's legacy id, read in LMS through a join, which checks
 * the reference too.
 *
 * <p>Each EDU table feeding LMS is one common table expression {@code q_<table>}: its rows and the
 * quarantine reason of mapping.md (the first failing check in the order the rules list the
 * columns), NULL for a row that maps. An LMS table's expected rows are the ones without a reason;
 * the expected quarantine, the ones with.
 */
final class MappingInSql {

  private MappingInSql() {}

  /** One LMS table: its rows recomputed from EDU and read from LMS, both one string per row. */
  record Table(String name, String edu, String lms) {}

  /** Text as mapping.md §Values: trimmed of characters ≤ U+0020 at both ends, empty → NULL. */
  static String clean(String column) {
    return "nullif(regexp_replace(" + column + ", '^[\\x01-\\x20]+|[\\x01-\\x20]+$', '', 'g'), '')";
  }

  /** A flag as mapping.md §Values: {@code = 1} → true, anything else (NULL too) false. */
  private static String flag(String column) {
    return "coalesce(" + column + " = 1, false)";
  }

  /** A dictionaries row {@code d} as the JSONB label of mapping.md §Values, as text. */
  private static String label(String d) {
    return "jsonb_strip_nulls(jsonb_build_object('az', " + clean(d + ".name_az") + ", 'en', " + clean(d + ".name_en") + ", 'ru', "
        + clean(d + ".name_ru") + "))::text";
  }

  /** {@code DD/MM/YYYY} or {@code DD.MM.YYYY}, optionally one space and {@code HH24:MI} or {@code HH24:MI:SS}. */
  private static final String TEXT_DATE = "^([0-9]{2}/[0-9]{2}/|[0-9]{2}[.][0-9]{2}[.])[0-9]{4}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$";

  /**
   * The local date-time of a legacy text date (mapping.md §Values), an SQL {@code timestamp}; NULL
   * for anything else (empty, impossible date or time, garbage). Year 0000 is 1 BC, as in the
   * proleptic calendar LMS's dates use. The fields sit at fixed places once the form matches; plain
   * expressions, as a sub-query per value makes PostgreSQL many times slower here.
   */
  static String localDateTime(String column) {
    String t = clean(column);
    String day = "substr(" + t + ", 1, 2)::int";
    String month = "substr(" + t + ", 4, 2)::int";
    String year = "substr(" + t + ", 7, 4)::int";
    String leap = "(" + year + " % 4 = 0 AND (" + year + " % 100 <> 0 OR " + year + " % 400 = 0))";
    String monthDays = "CASE WHEN " + month + " = 2 THEN CASE WHEN " + leap + " THEN 29 ELSE 28 END"
        + " WHEN " + month + " IN (4, 6, 9, 11) THEN 30 ELSE 31 END";
    String hour = "CASE WHEN length(" + t + ") > 10 THEN substr(" + t + ", 12, 2)::int ELSE 0 END";
    String minute = "CASE WHEN length(" + t + ") > 10 THEN substr(" + t + ", 15, 2)::int ELSE 0 END";
    String second = "CASE WHEN length(" + t + ") > 16 THEN substr(" + t + ", 18, 2)::int ELSE 0 END";
    return "CASE WHEN " + t + " IS NULL OR " + t + " !~ '" + TEXT_DATE + "' THEN NULL"
        + " WHEN " + month + " NOT BETWEEN 1 AND 12 THEN NULL"
        + " WHEN " + day + " NOT BETWEEN 1 AND " + monthDays + " OR " + hour + " > 23 OR " + minute + " > 59 OR " + second + " > 59 THEN NULL"
        + " ELSE make_date(CASE WHEN " + year + " = 0 THEN -1 ELSE " + year + " END, " + month + ", " + day + ") + make_time("
        + hour + ", " + minute + ", " + second + ") END";
  }

  /** A legacy text date's date part (mapping.md §Values), an SQL {@code date}. */
  static String date(String column) {
    return "(" + localDateTime(column) + ")::date";
  }

  /**
   * A legacy text timestamp as seconds since the epoch, local time in Asia/Baku (mapping.md
   * §Values). A local time that occurs twice (the autumn hour when Baku still kept summer time) is
   * the earlier instant; a time that never occurs is shifted forward by the gap.
   */
  static String epoch(String column) {
    return "(SELECT extract(epoch FROM CASE WHEN ((lt AT TIME ZONE 'Asia/Baku') - interval '1 hour') AT TIME ZONE 'Asia/Baku' = lt"
        + " THEN (lt AT TIME ZONE 'Asia/Baku') - interval '1 hour' ELSE lt AT TIME ZONE 'Asia/Baku' END)"
        + " FROM unnest(ARRAY[" + localDateTime(column) + "]) AS lt)";
  }

  /** A hard reference that does not resolve: NULL, or not a row of {@code cte} that maps. */
  private static String unresolved(String column, String cte) {
    return "(" + column + " IS NULL OR " + column + " NOT IN (SELECT id FROM " + cte + " WHERE q_reason IS NULL))";
  }

  /** A soft reference: the referenced id when it resolves, else NULL. */
  private static String soft(String column, String cte) {
    return "CASE WHEN NOT " + unresolved(column, cte) + " THEN " + column + " END";
  }

  private static String noRow(String column, String table) {
    return "(" + column + " IS NULL OR " + column + " NOT IN (SELECT id FROM " + table + "))";
  }

  private static final String POINT_ID = "CASE n WHEN 1 THEN d.point_id_1 WHEN 2 THEN d.point_id_2 ELSE d.point_id_3 END";

  /** Every EDU table that feeds LMS with its quarantine reason (mapping.md §Tables), as CTEs. */
  static final String SOURCES =
      "WITH q_users AS (SELECT users.*, CASE WHEN " + clean("username") + " IS NULL THEN 'invalid_value:username' END AS q_reason FROM users),"
          + " q_persons AS (SELECT persons.*, CASE WHEN " + unresolved("user_id", "q_users") + " THEN 'missing_parent:users'"
          + "   WHEN " + clean("firstname") + " IS NULL THEN 'invalid_value:firstname'"
          + "   WHEN " + clean("lastname") + " IS NULL THEN 'invalid_value:lastname' END AS q_reason FROM persons),"
          + " q_organizations AS (SELECT organizations.*, CASE WHEN " + noRow("dic_id", "dictionaries") + " THEN 'missing_parent:dictionaries' END AS q_reason"
          + "   FROM organizations),"
          + " q_students AS (SELECT students.*, CASE WHEN " + unresolved("person_id", "q_persons") + " THEN 'missing_parent:persons'"
          + "   WHEN " + clean("card_number") + " IS NULL THEN 'invalid_value:card_number' END AS q_reason FROM students),"
          + " q_teachers AS (SELECT teachers.*, CASE WHEN " + unresolved("person_id", "q_persons") + " THEN 'missing_parent:persons' END AS q_reason"
          + "   FROM teachers),"
          // mapping.md is silent on a year or semester that cannot make a term (terms are never
          // quarantined): the project quarantines the year or semester itself (README §Mapping decisions).
          + " q_edu_years AS (SELECT edu_years.*, CASE WHEN " + clean("name") + " IS NULL THEN 'invalid_value:name' END AS q_reason FROM edu_years),"
          + " q_semesters AS (SELECT semesters.*, CASE WHEN code IS NULL OR code NOT IN (1, 2, 3) THEN 'invalid_value:code' END AS q_reason FROM semesters),"
          + " q_education_plan_subject AS (SELECT education_plan_subject.*, CASE WHEN " + clean("code") + " IS NULL THEN 'invalid_value:code'"
          + "   WHEN " + noRow("subject_dic_id", "dictionaries") + " THEN 'missing_parent:dictionaries' END AS q_reason FROM education_plan_subject),"
          + " q_course AS (SELECT course.*, CASE WHEN " + unresolved("education_plan_subject_id", "q_education_plan_subject")
          + "   THEN 'missing_parent:education_plan_subject'"
          + "   WHEN " + unresolved("edu_year_id", "q_edu_years") + " THEN 'missing_parent:edu_years'"
          + "   WHEN " + unresolved("semester_id", "q_semesters") + " THEN 'missing_parent:semesters' END AS q_reason FROM course),"
          + " q_course_teacher AS (SELECT course_teacher.*, CASE WHEN " + unresolved("course_id", "q_course") + " THEN 'missing_parent:course'"
          + "   WHEN " + unresolved("teacher_id", "q_teachers") + " THEN 'missing_parent:teachers'"
          + "   WHEN lesson_type IS NULL OR lesson_type NOT IN (1, 2, 3) THEN 'invalid_value:lesson_type' END AS q_reason FROM course_teacher),"
          // retake + 1 must fit attempt_no (smallint) (README §Mapping decisions).
          + " q_journal AS (SELECT journal.*, CASE WHEN " + unresolved("course_id", "q_course") + " THEN 'missing_parent:course'"
          + "   WHEN " + unresolved("student_id", "q_students") + " THEN 'missing_parent:students'"
          + "   WHEN retake IS NULL OR retake >= 32767 THEN 'invalid_value:retake' END AS q_reason FROM journal),"
          + " q_exam AS (SELECT exam.*, lower(" + clean("t.name_en") + ") AS type_name,"
          + "   CASE WHEN " + unresolved("exam.course_id", "q_course") + " THEN 'missing_parent:course'"
          + "   WHEN t.id IS NULL THEN 'missing_parent:dictionaries'"
          + "   WHEN lower(" + clean("t.name_en") + ") IS NULL OR lower(" + clean("t.name_en") + ") NOT IN ('exam', 'quiz', 'midterm', 'final')"
          + "     THEN 'invalid_value:exam_type_dic_id'"
          + "   WHEN " + noRow("exam.title_dic_id", "dictionaries") + " THEN 'missing_parent:dictionaries' END AS q_reason"
          + "   FROM exam LEFT JOIN dictionaries t ON t.id = exam.exam_type_dic_id),"
          + " q_exam_result AS (SELECT exam_result.*, CASE WHEN " + unresolved("exam_id", "q_exam") + " THEN 'missing_parent:exam'"
          + "   WHEN " + unresolved("student_id", "q_students") + " THEN 'missing_parent:students'"
          + "   WHEN attempt IS NULL THEN 'invalid_value:attempt'"
          + "   WHEN status IS NULL OR status NOT IN (0, 1, 2) THEN 'invalid_value:status' END AS q_reason FROM exam_result),"
          + " q_journal_details AS (SELECT d.id, n AS component, d.journal_id, d.lesson_date, p.value, p.code,"
          + "   CASE WHEN " + unresolved("d.journal_id", "q_journal") + " THEN 'missing_parent:journal'"
          + "   WHEN p.id IS NULL THEN 'missing_parent:points' END AS q_reason"
          + "   FROM journal_details d CROSS JOIN generate_series(1, 3) n LEFT JOIN points p ON p.id = " + POINT_ID
          + "   WHERE " + POINT_ID + " IS NOT NULL),"
          + " q_files AS (SELECT files.*, CASE WHEN " + clean("original_name") + " IS NULL THEN 'invalid_value:original_name'"
          + "   WHEN " + clean("path") + " IS NULL THEN 'invalid_value:path' END AS q_reason FROM files),"
          + " q_course_meeting_topic_file AS (SELECT m.*, t.course_id, t.topic, t.meeting_date,"
          + "   CASE WHEN t.id IS NULL THEN 'missing_parent:course_meeting_topic'"
          + "   WHEN " + unresolved("t.course_id", "q_course") + " THEN 'missing_parent:course'"
          + "   WHEN " + unresolved("m.file_id", "q_files") + " THEN 'missing_parent:files' END AS q_reason"
          + "   FROM course_meeting_topic_file m LEFT JOIN course_meeting_topic t ON t.id = m.topic_id)";

  /** The EDU tables whose rows may be quarantined, with the CTE of {@link #SOURCES} that says why. */
  static final List<String> QUARANTINABLE =
      List.of(
          "users", "persons", "organizations", "students", "teachers", "edu_years", "semesters", "education_plan_subject", "course",
          "course_teacher", "journal", "exam", "exam_result", "journal_details", "files", "course_meeting_topic_file");

  /** users ← users (mapping.md §users): the e-mail kept by the lowest EDU id among the users that map. */
  static final Table USERS =
      new Table(
          "users",
          SOURCES + ", u AS (SELECT id, " + clean("username") + " AS username, " + clean("email") + " AS original,"
              + "   CASE WHEN lower(" + clean("email") + ") ~ '^[^@ \\t\\n\\x0B\\f\\r]+@[^@ \\t\\n\\x0B\\f\\r]+\\.[^@ \\t\\n\\x0B\\f\\r]+$'"
              + "     THEN lower(" + clean("email") + ") END AS valid,"
              + "   " + clean("password") + " AS password, " + flag("active") + " AS active, " + epoch("create_date") + " AS registered"
              + "   FROM q_users WHERE q_reason IS NULL),"
              + " owner AS (SELECT valid, min(id) AS id FROM u WHERE valid IS NOT NULL GROUP BY valid)"
              + " SELECT u.id, u.username, CASE WHEN o.id = u.id THEN u.valid END, CASE WHEN o.id IS DISTINCT FROM u.id THEN u.original END,"
              + " u.password, u.active, u.registered FROM u LEFT JOIN owner o ON o.valid = u.valid",
          "SELECT legacy_id, username, email, legacy_email, password_hash, is_active, extract(epoch FROM registered_at) FROM users");

  static final Table PERSONS =
      new Table(
          "persons",
          SOURCES + " SELECT id, user_id, " + clean("firstname") + ", " + clean("lastname") + ", " + clean("patronymic") + ", " + date("birthdate") + ","
              + " CASE gender WHEN 1 THEN 'male' WHEN 2 THEN 'female' END, " + clean("pincode") + " FROM q_persons WHERE q_reason IS NULL",
          "SELECT p.legacy_id, u.legacy_id, p.first_name, p.last_name, p.middle_name, p.birth_date, p.gender, p.national_id"
              + " FROM persons p LEFT JOIN users u ON u.id = p.user_id");

  static final Table ORGANIZATION_UNITS =
      new Table(
          "organization_units",
          SOURCES + " SELECT o.id, CASE WHEN o.parent_id <> 0 THEN " + soft("o.parent_id", "q_organizations") + " END,"
              + " CASE o.type_id WHEN 1 THEN 'university' WHEN 2 THEN 'faculty' WHEN 3 THEN 'department' WHEN 4 THEN 'program' ELSE 'other' END,"
              + " " + label("d") + ", " + clean("o.code") + ", " + flag("o.active")
              + " FROM q_organizations o JOIN dictionaries d ON d.id = o.dic_id WHERE o.q_reason IS NULL",
          "SELECT o.legacy_id, p.legacy_id, o.unit_type, o.name::text, o.code, o.is_active"
              + " FROM organization_units o LEFT JOIN organization_units p ON p.id = o.parent_id");

  private static final String STUDENT_STATUS =
      "CASE s.status WHEN 1 THEN 'active' WHEN 2 THEN 'graduated' WHEN 3 THEN 'expelled' WHEN 4 THEN 'on_leave' ELSE 'inactive' END";

  static final Table STUDENTS =
      new Table(
          "students",
          SOURCES + " SELECT s.id, s.person_id, p.user_id, " + soft("s.org_id", "q_organizations") + ", " + clean("s.card_number") + ", "
              + STUDENT_STATUS + ", s.admission_year FROM q_students s JOIN persons p ON p.id = s.person_id WHERE s.q_reason IS NULL",
          "SELECT s.legacy_id, p.legacy_id, u.legacy_id, o.legacy_id, s.student_number, s.status, s.admission_year FROM students s"
              + " LEFT JOIN persons p ON p.id = s.person_id LEFT JOIN users u ON u.id = s.user_id"
              + " LEFT JOIN organization_units o ON o.id = s.organization_unit_id");

  static final Table STAFF_MEMBERS =
      new Table(
          "staff_members",
          SOURCES + " SELECT t.id, t.person_id, p.user_id, " + soft("t.org_id", "q_organizations") + ", CASE WHEN d.id IS NOT NULL THEN " + label("d")
              + " END, CASE WHEN t.status = 1 THEN 'active' ELSE 'inactive' END FROM q_teachers t JOIN persons p ON p.id = t.person_id"
              + " LEFT JOIN dictionaries d ON d.id = t.position_dic_id WHERE t.q_reason IS NULL",
          "SELECT t.legacy_id, p.legacy_id, u.legacy_id, o.legacy_id, t.position::text, t.status FROM staff_members t"
              + " LEFT JOIN persons p ON p.id = t.person_id LEFT JOIN users u ON u.id = t.user_id"
              + " LEFT JOIN organization_units o ON o.id = t.organization_unit_id");

  /** An edu_years × semesters pair as the term it names: academic year and term type. */
  private static final String TERM_TYPE = "CASE m.code WHEN 1 THEN 'fall' WHEN 2 THEN 'spring' ELSE 'summer' END";

  /** The first and second year of a {@code NNNN/NNNN} name (year 0000 is 1 BC, as in LMS's dates). */
  private static String nameYear(String year, int which) {
    String digits = "substr(" + year + ", " + (which == 1 ? 1 : 6) + ", 4)::int";
    return "CASE WHEN " + digits + " = 0 THEN -1 ELSE " + digits + " END";
  }

  static final Table ACADEMIC_TERMS =
      new Table(
          "academic_terms",
          SOURCES + ", terms AS (SELECT " + clean("y.name") + " AS year, " + TERM_TYPE + " AS type"
              + "   FROM q_edu_years y CROSS JOIN q_semesters m WHERE y.q_reason IS NULL AND m.q_reason IS NULL)"
              + " SELECT year, type, CASE WHEN year ~ '^[0-9]{4}/[0-9]{4}$' THEN CASE type"
              + "   WHEN 'fall' THEN make_date(" + nameYear("year", 1) + ", 9, 15) WHEN 'spring' THEN make_date(" + nameYear("year", 2) + ", 2, 1)"
              + "   ELSE make_date(" + nameYear("year", 2) + ", 7, 1) END END,"
              + " CASE WHEN year ~ '^[0-9]{4}/[0-9]{4}$' THEN CASE type"
              + "   WHEN 'fall' THEN make_date(" + nameYear("year", 2) + ", 1, 31) WHEN 'spring' THEN make_date(" + nameYear("year", 2) + ", 6, 30)"
              + "   ELSE make_date(" + nameYear("year", 2) + ", 8, 31) END END FROM terms",
          "SELECT academic_year, term_type, start_date, end_date FROM academic_terms");

  static final Table COURSES =
      new Table(
          "courses",
          SOURCES + " SELECT e.id, " + clean("e.code") + ", " + label("d") + ", e.credit, e.hours, " + soft("p.org_id", "q_organizations") + ","
              + " e.semester_no FROM q_education_plan_subject e JOIN dictionaries d ON d.id = e.subject_dic_id"
              + " LEFT JOIN education_plan p ON p.id = e.education_plan_id WHERE e.q_reason IS NULL",
          "SELECT c.legacy_id, c.code, c.name::text, c.credit_hours, c.contact_hours, o.legacy_id, c.recommended_semester FROM courses c"
              + " LEFT JOIN organization_units o ON o.id = c.organization_unit_id");

  static final Table COURSE_OFFERINGS =
      new Table(
          "course_offerings",
          SOURCES + " SELECT c.id, c.education_plan_subject_id, " + clean("y.name") + " || ' ' || " + TERM_TYPE + ", " + clean("c.group_name") + ","
              + " CASE " + clean("l.name_en") + " WHEN 'Azerbaijani' THEN 'az' WHEN 'English' THEN 'en' WHEN 'Russian' THEN 'ru' END,"
              + " c.student_limit, " + flag("c.active") + " FROM q_course c JOIN edu_years y ON y.id = c.edu_year_id"
              + " JOIN semesters m ON m.id = c.semester_id LEFT JOIN dictionaries l ON l.id = c.language_id WHERE c.q_reason IS NULL",
          "SELECT o.legacy_id, c.legacy_id, t.academic_year || ' ' || t.term_type, o.section_code, o.language, o.max_enrollment, o.is_active"
              + " FROM course_offerings o LEFT JOIN courses c ON c.id = o.course_id LEFT JOIN academic_terms t ON t.id = o.academic_term_id");

  static final Table COURSE_INSTRUCTORS =
      new Table(
          "course_instructors",
          SOURCES + " SELECT id, course_id, teacher_id, CASE lesson_type WHEN 1 THEN 'lecturer' WHEN 2 THEN 'seminar_leader' ELSE 'lab_instructor' END,"
              + " " + flag("active") + " FROM q_course_teacher WHERE q_reason IS NULL",
          "SELECT i.legacy_id, o.legacy_id, t.legacy_id, i.role, i.is_active FROM course_instructors i"
              + " LEFT JOIN course_offerings o ON o.id = i.course_offering_id LEFT JOIN staff_members t ON t.id = i.staff_member_id");

  static final Table COURSE_ENROLLMENTS =
      new Table(
          "course_enrollments",
          SOURCES + " SELECT id, course_id, student_id, retake + 1, CASE WHEN active = 1 THEN 'enrolled' ELSE 'completed' END,"
              + " " + clean("letter_grade") + ", total_point, " + epoch("create_date") + " FROM q_journal WHERE q_reason IS NULL",
          "SELECT e.legacy_id, o.legacy_id, s.legacy_id, e.attempt_no, e.enrollment_status, e.grade_letter, e.grade_points,"
              + " extract(epoch FROM e.enrolled_at) FROM course_enrollments e LEFT JOIN course_offerings o ON o.id = e.course_offering_id"
              + " LEFT JOIN students s ON s.id = e.student_id");

  /** The component assessments of mapping.md §assessments ← component: type and title of n = 1, 2, 3. */
  private static final String COMPONENTS =
      "(VALUES (1, 'seminar', '{\"az\":\"Seminar\",\"en\":\"Seminar\",\"ru\":\"Семинар\"}'),"
          + " (2, 'colloquium', '{\"az\":\"Kollokvium\",\"en\":\"Colloquium\",\"ru\":\"Коллоквиум\"}'),"
          + " (3, 'independent_work', '{\"az\":\"Sərbəst iş\",\"en\":\"Independent work\",\"ru\":\"Самостоятельная работа\"}')) AS k(n, type, title)";

  static final Table ASSESSMENTS =
      new Table(
          "assessments",
          SOURCES + " SELECT x.id, x.course_id, x.type_name, " + label("d") + ", x.max_point, x.pass_point, x.duration_min, " + epoch("x.exam_date")
              + " FROM q_exam x JOIN dictionaries d ON d.id = x.title_dic_id WHERE x.q_reason IS NULL"
              + " UNION ALL SELECT NULL, c.id, k.type, k.title::jsonb::text, 10.00::numeric(6,2), NULL, NULL, NULL"
              + " FROM q_course c CROSS JOIN " + COMPONENTS + " WHERE c.q_reason IS NULL",
          "SELECT a.legacy_exam_id, o.legacy_id, a.assessment_type, a.title::text, a.total_marks, a.passing_marks, a.duration_minutes,"
              + " extract(epoch FROM a.scheduled_at) FROM assessments a LEFT JOIN course_offerings o ON o.id = a.course_offering_id");

  static final Table ASSESSMENT_SUBMISSIONS =
      new Table(
          "assessment_submissions",
          SOURCES + " SELECT id, exam_id, student_id, attempt, point, CASE status WHEN 0 THEN 'submitted' WHEN 1 THEN 'graded' ELSE 'annulled' END,"
              + " " + epoch("submit_date") + " FROM q_exam_result WHERE q_reason IS NULL",
          "SELECT r.legacy_id, a.legacy_exam_id, s.legacy_id, r.attempt_number, r.score, r.status, extract(epoch FROM r.submitted_at)"
              + " FROM assessment_submissions r LEFT JOIN assessments a ON a.id = r.assessment_id LEFT JOIN students s ON s.id = r.student_id");

  /** grades: the assessment as its offering's legacy id and component type, the enrollment and student as legacy ids. */
  static final Table GRADES =
      new Table(
          "grades",
          SOURCES + " SELECT g.id, g.component, j.course_id || ' ' || k.type, g.journal_id, j.student_id,"
              + " CASE WHEN " + clean("g.code") + " = 'qb' THEN NULL ELSE g.value END, coalesce(" + clean("g.code") + " = 'qb', false), "
              + date("g.lesson_date") + " FROM q_journal_details g JOIN journal j ON j.id = g.journal_id"
              + " JOIN " + COMPONENTS + " ON k.n = g.component WHERE g.q_reason IS NULL",
          "SELECT g.legacy_detail_id, g.component, o.legacy_id || ' ' || a.assessment_type, e.legacy_id, s.legacy_id, g.marks_obtained,"
              + " g.is_absent, g.graded_on FROM grades g LEFT JOIN assessments a ON a.id = g.assessment_id AND a.legacy_exam_id IS NULL"
              + " LEFT JOIN course_offerings o ON o.id = a.course_offering_id LEFT JOIN course_enrollments e ON e.id = g.enrollment_id"
              + " LEFT JOIN students s ON s.id = g.student_id");

  static final Table FILE_UPLOADS =
      new Table(
          "file_uploads",
          SOURCES + " SELECT id, " + clean("original_name") + ", " + clean("path") + ", " + clean("mime_type") + ", size, "
              + soft("user_id", "q_users") + ", " + epoch("create_date") + " FROM q_files WHERE q_reason IS NULL",
          "SELECT f.legacy_id, f.original_name, f.storage_path, f.mime_type, f.size_bytes, u.legacy_id, extract(epoch FROM f.uploaded_at)"
              + " FROM file_uploads f LEFT JOIN users u ON u.id = f.uploaded_by");

  /** course_materials: the title (a meeting topic, up to many KB) compared by digest and length. */
  static final Table COURSE_MATERIALS =
      new Table(
          "course_materials",
          SOURCES + " SELECT id, course_id, file_id, md5(" + clean("topic") + "), length(" + clean("topic") + "), " + date("meeting_date")
              + " FROM q_course_meeting_topic_file WHERE q_reason IS NULL",
          "SELECT m.legacy_id, o.legacy_id, f.legacy_id, md5(m.title), length(m.title), m.meeting_date FROM course_materials m"
              + " LEFT JOIN course_offerings o ON o.id = m.course_offering_id LEFT JOIN file_uploads f ON f.id = m.file_upload_id");

  /** The LMS tables of people: users, persons, organization units, students, staff. */
  static final List<Table> PEOPLE = List.of(USERS, PERSONS, ORGANIZATION_UNITS, STUDENTS, STAFF_MEMBERS);

  /** The other ten LMS tables: terms, catalog, sections, teaching, enrolment, assessment, grades, files. */
  static final List<Table> TEACHING =
      List.of(
          ACADEMIC_TERMS, COURSES, COURSE_OFFERINGS, COURSE_INSTRUCTORS, COURSE_ENROLLMENTS, ASSESSMENTS, ASSESSMENT_SUBMISSIONS, GRADES,
          FILE_UPLOADS, COURSE_MATERIALS);

  /** The EDU tables behind {@link #PEOPLE}, for their quarantine rows. */
  static final List<String> PEOPLE_SOURCES = List.of("users", "persons", "organizations", "students", "teachers");

  /**
   * The quarantine rows of mapping.md for the given EDU tables, recomputed from EDU: source table,
   * source id, component (n for a journal_details mark, else 0) and reason.
   */
  static String eduQuarantine(List<String> tables) {
    return SOURCES + " "
        + tables.stream()
            .map(t -> "SELECT '" + t + "', id, " + (t.equals("journal_details") ? "component" : "0") + ", q_reason FROM q_" + t
                + " WHERE q_reason IS NOT NULL")
            .collect(Collectors.joining(" UNION ALL "));
  }

  /** A text date column that holds text but no date (mapping.md §Values: NULL + note). */
  private static String unparseable(String column) {
    return column + " IS NOT NULL AND " + localDateTime(column) + " IS NULL";
  }

  /** A soft reference that holds an id that does not resolve (NULL + note). */
  private static String dangling(String column, String cte) {
    return column + " IS NOT NULL AND " + unresolved(column, cte);
  }

  /** One kind of note: the rows of {@code from} (mapped rows only) where {@code condition} holds. */
  private static String note(String table, String from, String condition, String note) {
    return "SELECT '" + table + "' AS source_table, id, " + (table.equals("journal_details") ? "component" : "0") + " AS component, '" + note
        + "' AS note FROM " + from + " WHERE q_reason IS NULL AND " + condition;
  }

  /**
   * The data-quality notes of mapping.md §Values and §Tables recomputed from EDU: source table,
   * id, component and the row's notes sorted and comma-joined ({@code unparseable_date:<column>} for
   * a text date that holds no date; {@code soft_reference_null:<column>} for a soft reference whose
   * row does not resolve, and for a course whose education_plan is missing).
   */
  static final String EDU_NOTES =
      SOURCES + ", notes AS ("
          + String.join(
              " UNION ALL ",
              note("users", "q_users", unparseable("create_date"), "unparseable_date:create_date"),
              note("persons", "q_persons", unparseable("birthdate"), "unparseable_date:birthdate"),
              note("organizations", "q_organizations", "parent_id <> 0 AND " + dangling("parent_id", "q_organizations"), "soft_reference_null:parent_id"),
              note("students", "q_students", dangling("org_id", "q_organizations"), "soft_reference_null:org_id"),
              note("teachers", "q_teachers", dangling("org_id", "q_organizations"), "soft_reference_null:org_id"),
              note("teachers", "q_teachers", "position_dic_id IS NOT NULL AND " + noRow("position_dic_id", "dictionaries"), "soft_reference_null:position_dic_id"),
              note("education_plan_subject", "q_education_plan_subject", noRow("education_plan_id", "education_plan"), "soft_reference_null:education_plan_id"),
              note("education_plan_subject",
                  "(SELECT e.id, e.q_reason, p.org_id FROM q_education_plan_subject e JOIN education_plan p ON p.id = e.education_plan_id) plans",
                  dangling("org_id", "q_organizations"), "soft_reference_null:org_id"),
              note("course", "q_course", "language_id IS NOT NULL AND " + noRow("language_id", "dictionaries"), "soft_reference_null:language_id"),
              note("journal", "q_journal", unparseable("create_date"), "unparseable_date:create_date"),
              note("exam", "q_exam", unparseable("exam_date"), "unparseable_date:exam_date"),
              note("exam_result", "q_exam_result", unparseable("submit_date"), "unparseable_date:submit_date"),
              note("journal_details", "q_journal_details", unparseable("lesson_date"), "unparseable_date:lesson_date"),
              note("files", "q_files", dangling("user_id", "q_users"), "soft_reference_null:user_id"),
              note("files", "q_files", unparseable("create_date"), "unparseable_date:create_date"),
              note("course_meeting_topic_file", "q_course_meeting_topic_file", unparseable("meeting_date"), "unparseable_date:meeting_date"))
          + ") SELECT source_table, id, component, string_agg(note, ',' ORDER BY note COLLATE \"C\") FROM notes GROUP BY source_table, id, component";

  static final String LMS_NOTES =
      "SELECT source_table, source_id, component, (SELECT string_agg(n, ',' ORDER BY n COLLATE \"C\") FROM unnest(notes) n)"
          + " FROM edu2lms.data_quality_notes";

  /** The quarantine rows present in LMS for the given EDU tables, or all of them when {@code tables} is null. */
  static String lmsQuarantine(List<String> tables) {
    return "SELECT source_table, source_id, component, reason FROM edu2lms.quarantine"
        + (tables == null ? "" : " WHERE source_table IN (" + tables.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", ")) + ")");
  }
}
