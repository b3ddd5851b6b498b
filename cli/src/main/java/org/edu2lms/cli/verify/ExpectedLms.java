package org.edu2lms.cli.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.edu2lms.transform.EduToLmsTopology;
import org.edu2lms.transform.mapping.CurriculumMappings;
import org.edu2lms.transform.mapping.GradebookMappings;
import org.edu2lms.transform.mapping.Labels;
import org.edu2lms.transform.mapping.MappingResult;
import org.edu2lms.transform.mapping.OrganizationMapping;
import org.edu2lms.transform.mapping.PeopleMappings;
import org.edu2lms.transform.mapping.PersonMapping;
import org.edu2lms.transform.mapping.Rows;
import org.edu2lms.transform.mapping.UserMapping;
import org.edu2lms.transform.serde.EduRow;

/**
 * The LMS state mapping.md derives from one EDU snapshot, computed by the transform's own mapping
 * functions ({@code org.edu2lms.transform.mapping}) on rows enriched here the way the topology's
 * joins enrich them ({@link EduToLmsTopology}: a derived column per reference, set when the parent
 * exists and is itself mappable). The topology keeps parents in state stores; this class keeps in
 * memory only what children look up (ids of mappable parents, dictionaries, points, topics), and
 * streams every row of the big tables once, in id order.
 *
 * <p>The EDU tables are read parents first. For every EDU row the {@link Receiver} gets the
 * mapping result (the LMS record, or the quarantine reason, with data-quality notes) in ascending
 * id order per table; rows that have no EDU row of their own (academic_terms, component
 * assessments) come through {@link Receiver#derived}.
 */
final class ExpectedLms {

  /** Where the expected state goes. */
  interface Receiver {
    /**
     * One mapping result of an EDU row; called in ascending {@code id} order per table.
     *
     * @param eduTable the EDU table
     * @param id the EDU id
     * @param component 0, or 1..3 for the grades of a journal_details row
     * @param result the record or quarantine result; null when the row yields no LMS row and no
     *     quarantine row (a journal_details point_id_n that is NULL)
     */
    void result(String eduTable, long id, int component, MappingResult<? extends SpecificRecord> result) throws SQLException;

    /** A row with no EDU row of its own: {@code academic_terms}, or an {@code assessments} component. */
    void derived(String lmsTable, SpecificRecord record) throws SQLException;

    /** Every row of {@code eduTable} has been given. */
    void tableDone(String eduTable) throws SQLException;
  }

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final EduSnapshot edu;
  private final Receiver out;

  private final Map<Long, ObjectNode> dictionaries = new HashMap<>();
  private final Set<Long> mappableUsers = new HashSet<>();
  /** persons id → its user_id, for the persons that map. */
  private final Map<Long, JsonNode> mappablePersons = new HashMap<>();
  private final Set<Long> mappableOrgs = new HashSet<>();
  private final Set<Long> mappableStudents = new HashSet<>();
  private final Set<Long> mappableStaff = new HashSet<>();
  private final Set<Long> years = new HashSet<>();
  private final Set<Long> knownSemesters = new HashSet<>();
  /** education_plan id → its org_id (a JSON value, possibly null). */
  private final Map<Long, JsonNode> plans = new HashMap<>();
  private final Set<Long> mappableCourses = new HashSet<>();
  private final Set<Long> mappableOfferings = new HashSet<>();
  /** journal id → {course_id, student_id}, for the journal rows that are LMS enrollments. */
  private final Map<Long, JsonNode> mappableEnrollments = new HashMap<>();
  private final Set<Long> mappableExams = new HashSet<>();
  private final Set<Long> mappableFiles = new HashSet<>();
  /** course_meeting_topic id → the columns materials read, with _offering. */
  private final Map<Long, ObjectNode> topics = new HashMap<>();

  ExpectedLms(EduSnapshot edu, Receiver out) {
    this.edu = edu;
    this.out = out;
  }

  /**
   * Derives the whole expected LMS state.
   *
   * @throws SQLException when EDU cannot be read or the receiver fails
   */
  void run() throws SQLException {
    for (ObjectNode d : edu.all("dictionaries")) {
      dictionaries.put(Rows.id(d), d);
    }
    users();
    persons();
    organizations();
    students();
    teachers();
    terms();
    for (ObjectNode p : edu.all("education_plan")) {
      plans.put(Rows.id(p), p.get("org_id") == null ? NullNode.instance : p.get("org_id"));
    }
    courses();
    offerings();
    instructors();
    enrollments();
    exams();
    submissions();
    grades();
    files();
    topics();
    materials();
  }

  // ------------------------------------------------------------------ mapping.md, per table

  private void users() throws SQLException {
    List<ObjectNode> users = edu.all("users");
    // The e-mail ownership rule (mapping.md §users): the lowest id among mappable users with it.
    Map<String, Long> owners = new HashMap<>();
    for (ObjectNode u : users) {
      String email = UserMapping.ownershipEmail(u);
      if (email != null) {
        owners.merge(email, Rows.id(u), Math::min);
      }
    }
    for (ObjectNode u : users) {
      String email = UserMapping.ownershipEmail(u);
      EduRow row = new EduRow(u, 0);
      MappingResult<?> r = EduToLmsTopology.guarded(() -> UserMapping.map(row, email == null ? null : owners.get(email)), 0);
      if (UserMapping.isMappable(u)) {
        mappableUsers.add(Rows.id(u));
      }
      give("users", u, r);
    }
    out.tableDone("users");
  }

  private void persons() throws SQLException {
    edu.forEach("persons", unchecked(p -> {
      p.set(PersonMapping.USER, present(mappableUsers, Rows.longValue(p, "user_id")));
      MappingResult<?> r = EduToLmsTopology.guarded(() -> PersonMapping.map(new EduRow(p, 0)), 0);
      if (r.isOk()) {
        mappablePersons.put(Rows.id(p), p.get("user_id"));
      }
      give("persons", p, r);
    }));
    out.tableDone("persons");
  }

  private void organizations() throws SQLException {
    List<ObjectNode> orgs = edu.all("organizations");
    Set<Long> named = new HashSet<>();
    for (ObjectNode o : orgs) {
      o.set(OrganizationMapping.NAME, label(Rows.longValue(o, "dic_id")));
      if (OrganizationMapping.isMappable(new EduRow(o, 0))) {
        named.add(Rows.id(o));
      }
    }
    for (ObjectNode o : orgs) {
      o.set(OrganizationMapping.PARENT, present(named, OrganizationMapping.parentId(o)));
      MappingResult<?> r = EduToLmsTopology.guarded(() -> OrganizationMapping.map(new EduRow(o, 0)), 0);
      if (r.isOk()) {
        mappableOrgs.add(Rows.id(o));
      }
      give("organizations", o, r);
    }
    out.tableDone("organizations");
  }

  private void students() throws SQLException {
    map("students", s -> {
      s.set(PeopleMappings.PERSON, personUser(Rows.longValue(s, "person_id")));
      s.set(PeopleMappings.ORG, present(mappableOrgs, Rows.longValue(s, "org_id")));
    }, PeopleMappings::student, mappableStudents);
  }


  private void teachers() throws SQLException {
    map("teachers", t -> {
      t.set(PeopleMappings.PERSON, personUser(Rows.longValue(t, "person_id")));
      t.set(PeopleMappings.ORG, present(mappableOrgs, Rows.longValue(t, "org_id")));
      t.set(PeopleMappings.POSITION, label(Rows.longValue(t, "position_dic_id")));
    }, PeopleMappings::staffMember, mappableStaff);
  }


  /**
   * academic_terms: every pair of an edu_years row with a name and a semesters row with a known
   * code; the other years and semesters are quarantined (CurriculumMappings.termSourceProblem).
   */
  private void terms() throws SQLException {
    List<ObjectNode> yearRows = edu.all("edu_years");
    List<ObjectNode> semesterRows = edu.all("semesters");
    termSources("edu_years", yearRows, years);
    termSources("semesters", semesterRows, knownSemesters);
    for (ObjectNode y : yearRows) {
      for (ObjectNode s : semesterRows) {
        if (years.contains(Rows.id(y)) && knownSemesters.contains(Rows.id(s))) {
          out.derived("academic_terms", CurriculumMappings.term(new EduRow(y, 0), new EduRow(s, 0)));
        }
      }
    }
  }

  /**
   * Gives each edu_years or semesters row its result (a quarantine when it cannot make terms,
   * CurriculumMappings.termSourceProblem) and adds the ids of the rows that make terms.
   */
  private void termSources(String table, List<ObjectNode> rows, Set<Long> makeTerms) throws SQLException {
    for (ObjectNode row : rows) {
      MappingResult<?> problem = CurriculumMappings.termSourceProblem(table, new EduRow(row, 0));
      give(table, row, problem);
      if (problem == null) {
        makeTerms.add(Rows.id(row));
      }
    }
    out.tableDone(table);
  }

  private void courses() throws SQLException {
    edu.forEach("education_plan_subject", unchecked(c -> {
      c.set(CurriculumMappings.NAME, label(Rows.longValue(c, "subject_dic_id")));
      Long planId = Rows.longValue(c, "education_plan_id");
      JsonNode planOrg = planId == null ? null : plans.get(planId);
      if (planOrg == null) {
        c.putNull(CurriculumMappings.PLAN);
        c.putNull(CurriculumMappings.ORG);
      } else {
        c.set(CurriculumMappings.PLAN, JSON.objectNode().set("org_id", planOrg));
        Long org = Rows.longValue(c.get(CurriculumMappings.PLAN), "org_id");
        c.set(CurriculumMappings.ORG, present(mappableOrgs, org));
      }
      MappingResult<?> r = EduToLmsTopology.guarded(() -> CurriculumMappings.course(new EduRow(c, 0)), 0);
      if (r.isOk()) {
        mappableCourses.add(Rows.id(c));
      }
      give("education_plan_subject", c, r);
    }));
    out.tableDone("education_plan_subject");
  }

  private void offerings() throws SQLException {
    edu.forEach("course", unchecked(c -> {
      c.set(CurriculumMappings.COURSE, present(mappableCourses, Rows.longValue(c, "education_plan_subject_id")));
      c.set(CurriculumMappings.YEAR, present(years, Rows.longValue(c, "edu_year_id")));
      c.set(CurriculumMappings.SEMESTER, present(knownSemesters, Rows.longValue(c, "semester_id")));
      c.set(CurriculumMappings.LANGUAGE, dictionary(Rows.longValue(c, "language_id"), d -> TextNode.valueOf(String.valueOf(Rows.text(d, "name_en")))));
      MappingResult<?> r = EduToLmsTopology.guarded(() -> CurriculumMappings.offering(new EduRow(c, 0)), 0);
      long id = Rows.id(c);
      if (r.isOk()) {
        mappableOfferings.add(id);
        for (int n = 1; n <= 3; n++) {
          out.derived("assessments", GradebookMappings.componentAssessment(id, n, 0));
        }
      }
      give("course", c, r);
    }));
    out.tableDone("course");
  }

  private void instructors() throws SQLException {
    map("course_teacher", t -> {
      t.set(CurriculumMappings.OFFERING, present(mappableOfferings, Rows.longValue(t, "course_id")));
      t.set(CurriculumMappings.STAFF, present(mappableStaff, Rows.longValue(t, "teacher_id")));
    }, CurriculumMappings::instructor, null);
  }


  private void enrollments() throws SQLException {
    edu.forEach("journal", unchecked(j -> {
      j.set(GradebookMappings.OFFERING, present(mappableOfferings, Rows.longValue(j, "course_id")));
      j.set(GradebookMappings.STUDENT, present(mappableStudents, Rows.longValue(j, "student_id")));
      MappingResult<?> r = EduToLmsTopology.guarded(() -> GradebookMappings.enrollment(new EduRow(j, 0)), 0);
      if (r.isOk()) {
        ObjectNode key = JSON.objectNode();
        key.set("course_id", j.get("course_id"));
        key.set("student_id", j.get("student_id"));
        mappableEnrollments.put(Rows.id(j), key);
      }
      give("journal", j, r);
    }));
    out.tableDone("journal");
  }

  private void exams() throws SQLException {
    map("exam", e -> {
      e.set(GradebookMappings.OFFERING, present(mappableOfferings, Rows.longValue(e, "course_id")));
      e.set(GradebookMappings.TYPE, dictionary(Rows.longValue(e, "exam_type_dic_id"), d -> JSON.objectNode().set("name_en", d.get("name_en"))));
      e.set(GradebookMappings.TITLE, label(Rows.longValue(e, "title_dic_id")));
    }, GradebookMappings::examAssessment, mappableExams);
  }


  private void submissions() throws SQLException {
    map("exam_result", r -> {
      r.set(GradebookMappings.EXAM, present(mappableExams, Rows.longValue(r, "exam_id")));
      r.set(GradebookMappings.STUDENT, present(mappableStudents, Rows.longValue(r, "student_id")));
    }, GradebookMappings::submission, null);
  }


  private void grades() throws SQLException {
    ObjectNode allPoints = JSON.objectNode();
    for (ObjectNode p : edu.all("points")) {
      allPoints.set(Long.toString(Rows.id(p)), p);
    }
    EduRow all = allPoints.isEmpty() ? null : new EduRow(allPoints, 0);
    edu.forEach("journal_details", unchecked(d -> {
      Long journalId = Rows.longValue(d, "journal_id");
      JsonNode journal = journalId == null ? null : mappableEnrollments.get(journalId);
      d.set(GradebookMappings.JOURNAL, journal == null ? NullNode.instance : journal);
      EduRow row = new EduRow(d, 0);
      d.set(GradebookMappings.POINTS, EduToLmsTopology.pointsOf(row, all));
      List<MappingResult<org.edu2lms.schemas.lms.Grade>> grades = EduToLmsTopology.guardedGrades(row);
      long id = Rows.id(d);
      for (int n = 1; n <= 3; n++) {
        out.result("journal_details", id, n, grades.get(n - 1));
      }
    }));
    out.tableDone("journal_details");
  }

  private void files() throws SQLException {
    map("files", f -> f.set(CurriculumMappings.USER, present(mappableUsers, Rows.longValue(f, "user_id"))), CurriculumMappings::fileUpload, mappableFiles);
  }


  /** course_meeting_topic is not an LMS table; materials read its section, title and date. */
  private void topics() throws SQLException {
    edu.forEach("course_meeting_topic", t -> {
      ObjectNode kept = JSON.objectNode();
      kept.set("course_id", t.get("course_id"));
      kept.set("topic", t.get("topic"));
      kept.set("meeting_date", t.get("meeting_date"));
      kept.set(CurriculumMappings.OFFERING, present(mappableOfferings, Rows.longValue(t, "course_id")));
      topics.put(Rows.id(t), kept);
    });
  }

  private void materials() throws SQLException {
    map("course_meeting_topic_file", m -> {
      Long topicId = Rows.longValue(m, "topic_id");
      ObjectNode topic = topicId == null ? null : topics.get(topicId);
      m.set(CurriculumMappings.TOPIC, topic == null ? NullNode.instance : topic);
      m.set(CurriculumMappings.FILE, present(mappableFiles, Rows.longValue(m, "file_id")));
    }, CurriculumMappings::material, null);
  }


  /**
   * Streams one EDU table: adds the derived columns ({@code enrich}), maps each row (guarded as in
   * the topology), records the ids of the rows that map in {@code mappable} (null: no children look
   * them up), and gives each result.
   */
  private void map(String table, java.util.function.Consumer<ObjectNode> enrich, Function<EduRow, MappingResult<?>> mapping, Set<Long> mappable)
      throws SQLException {
    edu.forEach(table, unchecked(row -> {
      enrich.accept(row);
      MappingResult<?> r = EduToLmsTopology.guarded(() -> mapping.apply(new EduRow(row, 0)), 0);
      if (mappable != null && r.isOk()) {
        mappable.add(Rows.id(row));
      }
      give(table, row, r);
    }));
    out.tableDone(table);
  }

  // ------------------------------------------------------------------ the topology's join values

  @SuppressWarnings("unchecked")
  private void give(String eduTable, ObjectNode row, MappingResult<?> r) throws SQLException {
    out.result(eduTable, Rows.id(row), 0, (MappingResult<? extends SpecificRecord>) r);
  }

  /** {@code true} when the parent id is in the set, JSON null otherwise (a NULL reference included). */
  private static JsonNode present(Set<Long> parents, Long id) {
    return id != null && parents.contains(id) ? BooleanNode.TRUE : NullNode.instance;
  }

  /** The person's user_id when the person maps (the topology's students-person join value). */
  private JsonNode personUser(Long personId) {
    JsonNode user = personId == null ? null : mappablePersons.get(personId);
    return user == null ? NullNode.instance : user;
  }

  /** The dictionaries row's label (mapping.md §Values), JSON null when the row does not exist. */
  private JsonNode label(Long dicId) {
    return dictionary(dicId, d -> TextNode.valueOf(Labels.fromDictionary(d)));
  }

  private JsonNode dictionary(Long dicId, Function<ObjectNode, JsonNode> extract) {
    ObjectNode d = dicId == null ? null : dictionaries.get(dicId);
    return d == null ? NullNode.instance : extract.apply(d);
  }

  /** A row callback that may throw SQLException (the receiver's COPY), rethrown unchanged by forEach. */
  private interface RowAction {
    void accept(ObjectNode row) throws SQLException;
  }

  private static java.util.function.Consumer<ObjectNode> unchecked(RowAction action) {
    return row -> {
      try {
        action.accept(row);
      } catch (SQLException e) {
        throw new ReceiverFailure(e);
      }
    };
  }

  /** Carries a receiver's SQLException out of a row callback. */
  static final class ReceiverFailure extends RuntimeException {
    ReceiverFailure(SQLException cause) {
      super(cause);
    }

    @Override
    public synchronized SQLException getCause() {
      return (SQLException) super.getCause();
    }
  }
}
