package org.edu2lms.generator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills an empty EDU database with legacy data of the profile in ../shared/spec/README.md:
 * every table of edu.md, every anomaly kind the profile lists, deterministically for a seed (each
 * table draws from its own random stream derived from the seed, so the output does not depend on
 * the order of generation). Rows are loaded with {@code COPY … FROM STDIN}, one transaction.
 *
 * <p>Ids are dense from 1 in every table. A reference that must point "to a row that does not
 * exist" points above every generated id ({@link #MISSING_BASE} + the row's own id), so it stays
 * missing at every scale.
 */
public final class EduGenerator {

  private static final Logger LOG = LoggerFactory.getLogger(EduGenerator.class);

  /** Referenced ids at or above this value never exist in EDU. */
  public static final long MISSING_BASE = 900_000_000L;

  /** Exam-type labels of dictionaries type 4 (edu.md). */
  static final String[] EXAM_TYPES = {"Exam", "Quiz", "Midterm", "Final"};
  /** Language labels of dictionaries type 6 (edu.md). */
  static final String[][] LANGUAGES = {
    {"Azərbaycan dili", "Azerbaijani", "Азербайджанский"},
    {"İngilis dili", "English", "Английский"},
    {"Rus dili", "Russian", "Русский"}
  };

  private static final int EXAM_TITLES = 30;
  private static final int POSITIONS = 8;
  private static final String LONG_TEXT_UNIT =
      "Mövzu: elmi metodologiya, praktiki məşğələ və müzakirə; Topic: methodology, practice and discussion. ";

  private final Profile profile;
  private final long seed;

  // Row counts, fixed at construction.
  private final int nUsers;
  private final int nPersons;
  private final int nOrgs;
  private final int nPlans;
  private final int nSubjects;
  private final int nCourses;
  private final int nCourseTeachers;
  private final int nTopics;
  private final int nFiles;
  private final int nTopicFiles;
  private final int nStudents;
  private final int nTeachers;
  private final int nJournal;
  private final int nDetails;
  private final int nExams;
  private final int nExamResults;

  // dictionaries id ranges (first id of each type), assigned in order.
  private final long dicOrg;
  private final long dicSubject;
  private final long dicExamTitle;
  private final long dicExamType;
  private final long dicSemester;
  private final long dicLanguage;
  private final long dicPosition;
  private final int nDictionaries;

  /**
   * @param profile the scaled profile
   * @param seed the seed; the same seed and scale always give the same database
   */
  public EduGenerator(Profile profile, long seed) {
    this.profile = profile;
    this.seed = seed;
    nUsers = profile.rows("users");
    nPersons = profile.rows("persons");
    nOrgs = profile.rows("organizations");
    nPlans = profile.rows("education_plan");
    nSubjects = profile.rows("education_plan_subject");
    nCourses = profile.rows("course");
    nCourseTeachers = profile.rows("course_teacher");
    nTopics = profile.rows("course_meeting_topic");
    nFiles = profile.rows("files");
    nTopicFiles = profile.rows("course_meeting_topic_file");
    nStudents = profile.rows("students");
    nTeachers = profile.rows("teachers");
    nJournal = profile.rows("journal");
    nDetails = profile.rows("journal_details");
    nExams = profile.rows("exam");
    nExamResults = profile.rows("exam_result");
    long next = 1;
    dicOrg = next;
    next += nOrgs;
    dicSubject = next;
    next += nSubjects;
    dicExamTitle = next;
    next += EXAM_TITLES;
    dicExamType = next;
    next += EXAM_TYPES.length;
    dicSemester = next;
    next += Profile.SEMESTERS;
    dicLanguage = next;
    next += LANGUAGES.length;
    dicPosition = next;
    next += POSITIONS;
    nDictionaries = (int) (next - 1);
  }

  /** The number of rows {@link #generate} writes, over all tables. */
  public long totalRows() {
    return profile.totalRows(nDictionaries);
  }

  /** Row count per EDU table that {@link #generate} writes. */
  public Map<String, Long> expectedRows() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("dictionaries", (long) nDictionaries);
    m.put("points", (long) Profile.POINTS);
    m.put("edu_years", (long) Profile.EDU_YEARS);
    m.put("semesters", (long) Profile.SEMESTERS);
    for (String t : Profile.BASE_ROWS.keySet()) {
      m.put(t, (long) profile.rows(t));
    }
    return m;
  }

  /**
   * Writes every EDU table in one transaction.
   *
   * @param connection a connection to the EDU database whose schema is migrated and empty
   * @param progress called with the number of rows written since the last call
   * @throws SQLException when a COPY fails, or {@link IllegalStateException} when the EDU tables
   *     already hold rows (the generator never mixes its data with existing data)
   */
  public void generate(Connection connection, LongConsumer progress) throws SQLException {
    requireEmpty(connection);
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
      dictionaries(copy, progress);
      points(copy, progress);
      eduYears(copy, progress);
      semesters(copy, progress);
      users(copy, progress);
      persons(copy, progress);
      organizations(copy, progress);
      educationPlans(copy, progress);
      subjects(copy, progress);
      courses(copy, progress);
      teachers(copy, progress);
      courseTeachers(copy, progress);
      topics(copy, progress);
      files(copy, progress);
      topicFiles(copy, progress);
      students(copy, progress);
      journal(copy, progress);
      journalDetails(copy, progress);
      exams(copy, progress);
      examResults(copy, progress);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
    try (Statement st = connection.createStatement()) {
      st.execute("ANALYZE");
    }
    LOG.info("generated {} EDU rows at scale {} with seed {}", totalRows(), profile.scale(), seed);
  }

  private static void requireEmpty(Connection connection) throws SQLException {
    if (holdsRows(connection)) {
      throw new IllegalStateException(
          "the EDU database already holds rows (users or dictionaries is not empty); generate into an empty database");
    }
  }

  /**
   * Whether the EDU tables (created by {@link EduSchema}) already hold rows: {@code users} or
   * {@code dictionaries} is not empty.
   *
   * @throws SQLException when the tables cannot be read
   */
  public static boolean holdsRows(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM dictionaries)")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private SplittableRandom rng(String table) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + table.hashCode());
  }

  // ---------------------------------------------------------------- lookup tables

  private void dictionaries(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("dictionaries");
    try (CopyRows c = CopyRows.open(m, "dictionaries", "id,type_id,name_az,name_en,name_ru,active")) {
      for (int i = 0; i < nOrgs; i++) {
        label(c, i == 0 ? 0 : r.nextInt(25), dicOrg + i, 1, "Struktur " + (i + 1), "Unit " + (i + 1), "Подразделение " + (i + 1));
      }
      for (int i = 0; i < nSubjects; i++) {
        label(c, i == 0 ? 1 : r.nextInt(25), dicSubject + i, 2, "Fənn " + (i + 1), "Subject " + (i + 1), "Предмет " + (i + 1));
      }
      for (int i = 0; i < EXAM_TITLES; i++) {
        label(c, r.nextInt(25), dicExamTitle + i, 3, "İmtahan " + (i + 1), "Examination " + (i + 1), "Экзамен " + (i + 1));
      }
      for (int i = 0; i < EXAM_TYPES.length; i++) {
        c.add(dicExamType + i).add(4L).add(EXAM_TYPES[i].toLowerCase()).add(EXAM_TYPES[i]).add(EXAM_TYPES[i]).add(1L).end();
      }
      String[][] sem = {{"Payız", "Fall", "Осень"}, {"Yaz", "Spring", "Весна"}, {"Yay", "Summer", "Лето"}};
      for (int i = 0; i < sem.length; i++) {
        c.add(dicSemester + i).add(5L).add(sem[i][0]).add(sem[i][1]).add(sem[i][2]).add(1L).end();
      }
      for (int i = 0; i < LANGUAGES.length; i++) {
        c.add(dicLanguage + i).add(6L).add(LANGUAGES[i][0]).add(LANGUAGES[i][1]).add(LANGUAGES[i][2]).add(1L).end();
      }
      String[] pos = {"Professor", "Associate professor", "Senior lecturer", "Lecturer", "Assistant", "Head of department", "Dean", "Researcher"};
      for (int i = 0; i < POSITIONS; i++) {
        label(c, r.nextInt(25), dicPosition + i, 7, "Vəzifə " + (i + 1), pos[i], "Должность " + (i + 1));
      }
    }
    p.accept(nDictionaries);
  }

  /**
   * A label row; {@code roll} 0 empties name_az, 1 makes name_ru NULL, 2 makes it blank (the
   * profile's "rows with an empty or NULL language"); callers roll 0..24, and force 0 and 1 on the
   * first org and subject label so every scale has both kinds.
   */
  private static void label(CopyRows c, int roll, long id, int type, String az, String en, String ru)
      throws SQLException {
    String a = roll == 0 ? "" : az;
    String e = en;
    String u = roll == 1 ? null : roll == 2 ? "   " : ru;
    c.add(id).add((long) type).add(a).add(e).add(u).add(1L).end();
  }

  private void points(CopyManager m, LongConsumer p) throws SQLException {
    try (CopyRows c = CopyRows.open(m, "points", "id,value,code")) {
      for (int v = 0; v <= 10; v++) {
        c.add(v + 1L).add(v + ".00").add((String) null).end();
      }
      c.add(12L).add((String) null).add("qb").end();
    }
    p.accept(Profile.POINTS);
  }

  private void eduYears(CopyManager m, LongConsumer p) throws SQLException {
    try (CopyRows c = CopyRows.open(m, "edu_years", "id,name,start_date,end_date")) {
      for (int i = 0; i < Profile.EDU_YEARS; i++) {
        int y = 2014 + i;
        c.add(i + 1L).add(y + "/" + (y + 1)).add(dmy(15, 9, y)).add(dmy(30, 6, y + 1)).end();
      }
    }
    p.accept(Profile.EDU_YEARS);
  }

  private void semesters(CopyManager m, LongConsumer p) throws SQLException {
    try (CopyRows c = CopyRows.open(m, "semesters", "id,dic_id,code")) {
      for (int i = 0; i < Profile.SEMESTERS; i++) {
        c.add(i + 1L).add(dicSemester + i).add(i + 1L).end();
      }
    }
    p.accept(Profile.SEMESTERS);
  }

  // ---------------------------------------------------------------- people

  private void users(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("users");
    int bad = profile.anomalies(114, nUsers);
    int malformed = Math.max(1, bad / 2);
    int shared = Math.max(nUsers > 1 ? 1 : 0, bad - malformed);
    byte[] lab = Picker.label(r, nUsers, malformed, shared, Profile.share(0.01, nUsers), Profile.share(0.005, nUsers));
    try (CopyRows c = CopyRows.open(m, "users", "id,username,email,password,active,create_date,update_date")) {
      for (int i = 0; i < nUsers; i++) {
        long id = i + 1L;
        String email =
            switch (lab[i]) {
              case 1 -> malformedEmail(r, id);
              case 2 -> sharedEmail(r, id);
              case 3 -> r.nextBoolean() ? null : (r.nextBoolean() ? "" : "   ");
              default -> mixedCase(r, "user" + id + "@edu.example.az");
            };
        String created = lab[i] == 4 ? garbageDate(r) : timestamp(r, 2010, 2025);
        c.add(id)
            .add("user" + id)
            .add(email)
            .add("$2a$10$" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()))
            .add(r.nextInt(10) == 0 ? 0L : 1L)
            .add(created)
            .add(r.nextInt(3) == 0 ? "" : timestamp(r, 2020, 2025))
            .end();
        if ((i & 4095) == 4095) {
          p.accept(4096);
        }
      }
    }
    p.accept(nUsers & 4095);
  }

  private static String malformedEmail(SplittableRandom r, long id) {
    return switch (r.nextInt(4)) {
      case 0 -> "user" + id + "@@edu.example.az";
      case 1 -> "user" + id + ".edu.example.az";
      case 2 -> "user " + id + "@edu.example.az";
      default -> "user" + id + "@localhost";
    };
  }

  /** The e-mail of a lower-numbered user, in other case and with blanks around it. */
  private String sharedEmail(SplittableRandom r, long id) {
    long other = id > 1 ? 1 + r.nextLong(id - 1) : Math.min(2, nUsers);
    return "  " + ("USER" + other + "@EDU.EXAMPLE.AZ") + " ";
  }

  private static String mixedCase(SplittableRandom r, String s) {
    if (r.nextInt(4) != 0) {
      return s;
    }
    return Character.toUpperCase(s.charAt(0)) + s.substring(1, s.indexOf('@')) + s.substring(s.indexOf('@')).toUpperCase();
  }

  private void persons(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("persons");
    byte[] lab = Picker.label(r, nPersons, profile.anomalies(40, nPersons), Profile.share(0.005, nPersons));
    String[] first = {"Aysel", "Elvin", "Nigar", "Rashad", "Leyla", "Tural", "Gunay", "Orkhan", "Sevinj", "Kamran"};
    String[] last = {"Aliyev", "Mammadova", "Huseynov", "Guliyeva", "Hasanov", "Ismayilova", "Babayev", "Karimova"};
    try (CopyRows c = CopyRows.open(m, "persons", "id,user_id,firstname,lastname,patronymic,birthdate,gender,pincode")) {
      for (int i = 0; i < nPersons; i++) {
        long id = i + 1L;
        long userId = lab[i] == 1 ? MISSING_BASE + id : (i % nUsers) + 1L;
        c.add(id)
            .add(userId)
            .add(first[r.nextInt(first.length)])
            .add(last[r.nextInt(last.length)])
            .add(r.nextInt(5) == 0 ? null : first[r.nextInt(first.length)] + " oglu")
            .add(lab[i] == 2 ? garbageDate(r) : dmy(1 + r.nextInt(28), 1 + r.nextInt(12), 1960 + r.nextInt(45)))
            .add(r.nextInt(20) == 0 ? null : (long) (1 + r.nextInt(2)))
            .add(r.nextInt(10) == 0 ? null : pincode(r))
            .end();
      }
    }
    p.accept(nPersons);
  }

  private static String pincode(SplittableRandom r) {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    StringBuilder sb = new StringBuilder(7);
    for (int k = 0; k < 7; k++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  /** Tree levels: 1 university, then faculties, departments, programs (every 40th "other"). */
  private int faculties() {
    return Math.max(1, Math.round(nOrgs * 12f / 419));
  }

  private int departments() {
    return Math.max(1, Math.round(nOrgs * 60f / 419));
  }

  /** Organization ids that are programs (type 4); never empty. */
  private long programOrg(int k) {
    int firstProgram = 2 + faculties() + departments();
    int programs = nOrgs - firstProgram + 1;
    if (programs <= 0) {
      return nOrgs;
    }
    return firstProgram + (k % programs);
  }

  private long departmentOrg(int k) {
    int firstDept = 2 + faculties();
    return Math.min(nOrgs, firstDept + (k % departments()));
  }

  private void organizations(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("organizations");
    int fac = faculties();
    int dep = departments();
    // The three orphans are never the root.
    byte[] lab = nOrgs > 1 ? Picker.label(r, nOrgs - 1, profile.anomalies(3, nOrgs - 1)) : new byte[0];
    try (CopyRows c = CopyRows.open(m, "organizations", "id,parent_id,dic_id,type_id,code,active")) {
      for (int i = 0; i < nOrgs; i++) {
        long id = i + 1L;
        long type;
        Long parent;
        if (id == 1) {
          type = 1;
          parent = 0L;
        } else if (id <= 1 + fac) {
          type = 2;
          parent = 1L;
        } else if (id <= 1 + fac + dep) {
          type = 3;
          parent = 2 + (id % fac);
        } else {
          type = id % 40 == 0 ? 5 : 4;
          parent = 2 + fac + (id % dep);
        }
        if (id > 1 && lab[i - 1] == 1) {
          parent = MISSING_BASE + id;
        }
        c.add(id)
            .add(parent)
            .add(dicOrg + i)
            .add(type)
            .add(r.nextInt(6) == 0 ? null : "ORG-" + id)
            .add(r.nextInt(15) == 0 ? 0L : 1L)
            .end();
      }
    }
    p.accept(nOrgs);
  }

  private void students(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("students");
    byte[] lab = Picker.label(r, nStudents, profile.anomalies(385, nStudents), profile.anomalies(30, nStudents));
    try (CopyRows c =
        CopyRows.open(m, "students", "id,person_id,org_id,card_number,status,admission_year,edu_plan_id,create_date")) {
      for (int i = 0; i < nStudents; i++) {
        long id = i + 1L;
        int year = 2014 + r.nextInt(12);
        long status = lab[i] == 1 ? 0 : 1 + Math.min(3, r.nextInt(8) / 2);
        c.add(id)
            .add(lab[i] == 2 ? MISSING_BASE + id : (i % nPersons) + 1L)
            .add(programOrg(i))
            .add("S" + year + String.format("%06d", id))
            .add(status)
            .add((long) year)
            .add((i % nPlans) + 1L)
            .add(timestamp(r, year, year))
            .end();
      }
    }
    p.accept(nStudents);
  }

  private void teachers(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("teachers");
    byte[] lab = Picker.label(r, nTeachers, profile.anomalies(74, nTeachers));
    try (CopyRows c = CopyRows.open(m, "teachers", "id,person_id,org_id,position_dic_id,status,create_date")) {
      for (int i = 0; i < nTeachers; i++) {
        long id = i + 1L;
        c.add(id)
            .add(nPersons - (i % nPersons))
            .add(departmentOrg(i))
            .add(dicPosition + r.nextInt(POSITIONS))
            .add(lab[i] == 1 ? 0L : 1L)
            .add(timestamp(r, 2010, 2025))
            .end();
      }
    }
    p.accept(nTeachers);
  }

  // ---------------------------------------------------------------- curriculum

  private void educationPlans(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("education_plan");
    try (CopyRows c = CopyRows.open(m, "education_plan", "id,org_id,edu_year_id,name,active")) {
      for (int i = 0; i < nPlans; i++) {
        long year = 1 + (i % Profile.EDU_YEARS);
        c.add(i + 1L).add(programOrg(i)).add(year).add("Plan " + (i + 1) + " " + (2013 + year)).add(r.nextInt(5) == 0 ? 0L : 1L).end();
      }
    }
    p.accept(nPlans);
  }

  private void subjects(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("education_plan_subject");
    String[] credits = {"2.0", "3.0", "4.0", "5.0", "6.5"};
    try (CopyRows c =
        CopyRows.open(m, "education_plan_subject", "id,education_plan_id,subject_dic_id,code,credit,hours,semester_no")) {
      for (int i = 0; i < nSubjects; i++) {
        c.add(i + 1L)
            .add((i % nPlans) + 1L)
            .add(dicSubject + i)
            .add("SUBJ-" + (100 + (i % 300)))
            .add(credits[r.nextInt(credits.length)])
            .add(30L + 15 * r.nextInt(5))
            .add(1L + r.nextInt(8))
            .end();
      }
    }
    p.accept(nSubjects);
  }

  /** Sections 1..orphans() are the ones whose catalog entry does not exist (profile: course). */
  private int orphanSections() {
    return profile.anomalies(44, nCourses);
  }

  private void courses(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("course");
    int orphans = orphanSections();
    try (CopyRows c =
        CopyRows.open(
            m,
            "course",
            "id,education_plan_subject_id,edu_year_id,semester_id,language_id,group_name,student_limit,active,create_date")) {
      for (int i = 0; i < nCourses; i++) {
        long id = i + 1L;
        long year = 1 + r.nextInt(Profile.EDU_YEARS);
        c.add(id)
            .add(id <= orphans ? MISSING_BASE + id : (i % nSubjects) + 1L)
            .add(year)
            .add(1L + r.nextInt(Profile.SEMESTERS))
            .add(dicLanguage + r.nextInt(LANGUAGES.length))
            .add((1000 + i % 9000) + String.valueOf((char) ('a' + r.nextInt(4))))
            .add(r.nextInt(8) == 0 ? null : (long) (20 + r.nextInt(40)))
            .add(year >= Profile.EDU_YEARS ? 1L : 0L)
            .add(timestamp(r, 2013 + (int) year, 2013 + (int) year))
            .end();
      }
    }
    p.accept(nCourses);
  }

  private void courseTeachers(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("course_teacher");
    byte[] lab = Picker.label(r, nCourseTeachers, Profile.share(0.01, nCourseTeachers));
    try (CopyRows c = CopyRows.open(m, "course_teacher", "id,course_id,teacher_id,lesson_type,active")) {
      for (int i = 0; i < nCourseTeachers; i++) {
        long id = i + 1L;
        c.add(id)
            .add((i % nCourses) + 1L)
            .add(lab[i] == 1 ? MISSING_BASE + id : 1L + r.nextInt(nTeachers))
            .add(1L + r.nextInt(3))
            .add(r.nextInt(10) == 0 ? 0L : 1L)
            .end();
      }
    }
    p.accept(nCourseTeachers);
  }

  private void topics(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("course_meeting_topic");
    byte[] lab = Picker.label(r, nTopics, Profile.share(0.02, nTopics));
    String longText = LONG_TEXT_UNIT.repeat(4200 / LONG_TEXT_UNIT.length() + 1);
    try (CopyRows c = CopyRows.open(m, "course_meeting_topic", "id,course_id,topic,meeting_date")) {
      for (int i = 0; i < nTopics; i++) {
        long id = i + 1L;
        String topic = "Meeting " + (1 + i % 15) + ": chapter " + (1 + r.nextInt(30));
        if (lab[i] == 1) {
          topic = topic + " — " + longText + id;
        }
        c.add(id).add((i % nCourses) + 1L).add(topic).add(dmy(1 + r.nextInt(28), 1 + r.nextInt(12), 2014 + r.nextInt(12))).end();
      }
    }
    p.accept(nTopics);
  }

  private void files(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("files");
    byte[] lab = Picker.label(r, nFiles, Profile.share(0.01, nFiles));
    String[][] kinds = {{"pdf", "application/pdf"}, {"docx", null}, {"pptx", "application/vnd.ms-powerpoint"}, {"png", "image/png"}};
    try (CopyRows c = CopyRows.open(m, "files", "id,original_name,path,mime_type,size,user_id,create_date")) {
      for (int i = 0; i < nFiles; i++) {
        long id = i + 1L;
        String[] k = kinds[r.nextInt(kinds.length)];
        c.add(id)
            .add("lecture-" + id + "." + k[0])
            .add("/storage/" + (id % 97) + "/" + Long.toHexString(r.nextLong()) + "." + k[0])
            .add(k[1])
            .add(1024L + r.nextInt(20_000_000))
            .add(lab[i] == 1 ? MISSING_BASE + id : 1L + r.nextInt(nUsers))
            .add(timestamp(r, 2015, 2025))
            .end();
      }
    }
    p.accept(nFiles);
  }

  private void topicFiles(CopyManager m, LongConsumer p) throws SQLException {
    try (CopyRows c = CopyRows.open(m, "course_meeting_topic_file", "id,topic_id,file_id")) {
      for (int i = 0; i < nTopicFiles; i++) {
        c.add(i + 1L).add((i * 3L % nTopics) + 1).add((i % nFiles) + 1L).end();
      }
    }
    p.accept(nTopicFiles);
  }

  // ---------------------------------------------------------------- enrolment and grades

  /**
   * Journal rows: the orphan sections hold ~5,400 rows together, the others share the rest; inside
   * a section each new enrolment takes the next student, and ~8 % of rows are a retake of the row
   * before (same student, retake + 1), so (course_id, student_id, retake) stays unique.
   */
  private void journal(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("journal");
    byte[] lab = Picker.label(r, nJournal, profile.anomalies(17_835, nJournal));
    int orphans = orphanSections();
    long orphanRows = Math.min(nJournal, Math.max(orphans, Math.round(5_400 * profile.scale())));
    try (CopyRows c =
        CopyRows.open(m, "journal", "id,course_id,student_id,active,total_point,letter_grade,retake,create_date")) {
      int row = 0;
      for (int course = 1; course <= nCourses && row < nJournal; course++) {
        long rows = course <= orphans ? orphanRows / orphans + (course <= orphanRows % orphans ? 1 : 0)
            : (nJournal - orphanRows) / Math.max(1, nCourses - orphans)
                + (course - orphans <= (nJournal - orphanRows) % Math.max(1, nCourses - orphans) ? 1 : 0);
        if (course == nCourses) {
          rows = nJournal - row;
        }
        int slot = 0;
        long prevStudent = -1;
        int prevRetake = 0;
        long base = r.nextInt(nStudents);
        for (long k = 0; k < rows && row < nJournal; k++, row++) {
          long id = row + 1L;
          long student;
          int retake;
          if (lab[row] == 1) {
            student = MISSING_BASE + id;
            retake = 0;
          } else if (prevStudent > 0 && prevRetake % 10 < 3 && r.nextInt(100) < 8) {
            student = prevStudent;
            retake = prevRetake + 1;
          } else {
            student = ((base + slot) % nStudents) + 1;
            retake = (slot / nStudents) * 10;
            slot++;
          }
          if (lab[row] != 1) {
            prevStudent = student;
            prevRetake = retake;
          }
          boolean active = r.nextInt(10) == 0;
          int total = r.nextInt(101);
          c.add(id)
              .add((long) course)
              .add(student)
              .add(active ? 1L : 0L)
              .add(active ? null : total + "." + (r.nextInt(4) * 25))
              .add(active ? null : letter(total))
              .add((long) retake)
              .add(timestamp(r, 2014, 2025))
              .end();
          if ((row & 16383) == 16383) {
            p.accept(16384);
          }
        }
      }
      p.accept(nJournal & 16383);
    }
  }

  private static String letter(int total) {
    return total >= 91 ? "A" : total >= 81 ? "B" : total >= 71 ? "C" : total >= 61 ? "D" : total >= 51 ? "E" : "F";
  }

  /** Details: ~6.3 per journal row; each mark present with probability 0.6 (≈1.8 per row). */
  private void journalDetails(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("journal_details");
    try (CopyRows c =
        CopyRows.open(m, "journal_details", "id,journal_id,lesson_date,point_id_1,point_id_2,point_id_3,create_date")) {
      for (int i = 0; i < nDetails; i++) {
        long id = i + 1L;
        String lesson = dmy(1 + r.nextInt(28), 1 + r.nextInt(12), 2014 + r.nextInt(12));
        c.add(id)
            .add((i % nJournal) + 1L)
            .add(lesson)
            .add(mark(r))
            .add(mark(r))
            .add(mark(r))
            .add(lesson + " 10:00:00")
            .end();
        if ((i & 65535) == 65535) {
          p.accept(65536);
        }
      }
    }
    // The profile's ~0.2 % unknown point ids, always at least one; patched after COPY.
    p.accept(nDetails & 65535);
  }

  /** A point id: 40 % none, 0.2 % unknown (99), 5 % {@code qb} (12), else a mark 0..10 (ids 1..11). */
  private static Long mark(SplittableRandom r) {
    int roll = r.nextInt(10_000);
    if (roll < 4_000) {
      return null;
    }
    if (roll < 4_033) { // 0.33 % of present marks ≈ 0.2 % of rows' point ids over the whole table
      return 99L;
    }
    if (roll < 4_533) {
      return 12L;
    }
    return 1L + r.nextInt(11);
  }

  private void exams(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("exam");
    try (CopyRows c =
        CopyRows.open(
            m, "exam", "id,course_id,exam_type_dic_id,title_dic_id,max_point,pass_point,duration_min,exam_date")) {
      for (int i = 0; i < nExams; i++) {
        c.add(i + 1L)
            .add((i % nCourses) + 1L)
            .add(dicExamType + r.nextInt(EXAM_TYPES.length))
            .add(dicExamTitle + r.nextInt(EXAM_TITLES))
            .add("100.00")
            .add("51.00")
            .add(r.nextInt(10) == 0 ? null : (long) (45 + 15 * r.nextInt(8)))
            .add(dmy(1 + r.nextInt(28), 1 + r.nextInt(12), 2014 + r.nextInt(12)) + String.format(" %02d:%02d", 9 + r.nextInt(8), 30 * r.nextInt(2)))
            .end();
      }
    }
    p.accept(nExams);
  }

  private void examResults(CopyManager m, LongConsumer p) throws SQLException {
    SplittableRandom r = rng("exam_result");
    byte[] lab = Picker.label(r, nExamResults, profile.anomalies(2_556, nExamResults));
    try (CopyRows c = CopyRows.open(m, "exam_result", "id,exam_id,student_id,attempt,point,status,submit_date")) {
      for (int i = 0; i < nExamResults; i++) {
        long id = i + 1L;
        long exam = (i % nExams) + 1L;
        long round = i / nExams;
        long status = r.nextInt(20) == 0 ? 2 : r.nextInt(10) == 0 ? 0 : 1;
        c.add(id)
            .add(exam)
            .add(lab[i] == 1 ? MISSING_BASE + id : ((exam * 131 + round) % nStudents) + 1)
            .add(lab[i] == 1 ? 1L : round / nStudents + 1)
            .add(status == 0 ? null : r.nextInt(101) + ".00")
            .add(status)
            .add(timestamp(r, 2014, 2025))
            .end();
      }
    }
    p.accept(nExamResults);
  }

  // ---------------------------------------------------------------- text dates

  static String dmy(int d, int mo, int y) {
    return (d < 10 ? "0" : "") + d + "/" + (mo < 10 ? "0" : "") + mo + "/" + y;
  }

  /** Mostly {@code DD/MM/YYYY HH24:MI:SS}; one in 12 is {@code DD.MM.YYYY} (both valid formats). */
  private static String timestamp(SplittableRandom r, int fromYear, int toYear) {
    int d = 1 + r.nextInt(28);
    int mo = 1 + r.nextInt(12);
    int y = fromYear + r.nextInt(toYear - fromYear + 1);
    if (r.nextInt(12) == 0) {
      return (d < 10 ? "0" : "") + d + "." + (mo < 10 ? "0" : "") + mo + "." + y;
    }
    int h = r.nextInt(24);
    int mi = r.nextInt(60);
    int s = r.nextInt(60);
    return dmy(d, mo, y) + String.format(" %02d:%02d:%02d", h, mi, s);
  }

  /** An unparseable date text: empty, impossible, or garbage (mapping.md §Values → NULL + note). */
  private static String garbageDate(SplittableRandom r) {
    return switch (r.nextInt(5)) {
      case 0 -> "";
      case 1 -> "31/02/2020";
      case 2 -> "00/00/0000";
      case 3 -> "2020-05-17";
      default -> "n/a";
    };
  }
}
