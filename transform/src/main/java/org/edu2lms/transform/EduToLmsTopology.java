package org.edu2lms.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.processor.WallclockTimestampExtractor;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.Topic;
import org.edu2lms.schemas.lms.AcademicTerm;
import org.edu2lms.schemas.lms.Assessment;
import org.edu2lms.schemas.lms.Grade;
import org.edu2lms.schemas.lms.QuarantineRecord;
import org.edu2lms.transform.mapping.CurriculumMappings;
import org.edu2lms.transform.mapping.GradebookMappings;
import org.edu2lms.transform.mapping.Labels;
import org.edu2lms.transform.mapping.MappingResult;
import org.edu2lms.transform.mapping.OrganizationMapping;
import org.edu2lms.transform.mapping.PeopleMappings;
import org.edu2lms.transform.mapping.PersonMapping;
import org.edu2lms.transform.mapping.Rows;
import org.edu2lms.transform.mapping.UserMapping;
import org.edu2lms.transform.serde.EduKeySerde;
import org.edu2lms.transform.serde.EduRow;
import org.edu2lms.transform.serde.EduRowSerde;
import org.edu2lms.transform.serde.EduRowStoreSerde;
import org.edu2lms.transform.serde.LongSetSerde;

/**
 * The Kafka Streams topology from the EDU change streams to the desired LMS state
 * (architecture.md), covering every LMS table of mapping.md.
 *
 * <p>Every EDU table is read as a KTable keyed by its id. A reference is a foreign-key
 * table–table left join that adds a derived column ({@code _person}, {@code _offering}, …) to the
 * child row: set when the parent exists and is itself mappable, JSON null otherwise. So a late
 * parent re-triggers its children, a deleted or quarantined parent re-derives them, and every
 * mapping is a pure function of one enriched row. The three big child tables of the gradebook
 * (journal, exam_result, journal_details: the tables that change most once live) resolve their
 * references in copies of their parents held by their own tasks instead ({@link
 * BroadcastLookup}): the same derived rows, one exactly-once hop for a child change instead of
 * two per reference; the users' e-mail ownership likewise ({@link EmailOwners}). Each LMS row is
 * then emitted as its latest value or a tombstone on {@code lms.<table>}, with the matching
 * quarantine record on {@code edu2lms.quarantine} and data-quality notes on {@code
 * edu2lms.data_quality_notes} (a tombstone only for one that was live: {@link SideRecords}).
 * edu_years × semesters (terms) are aggregated into one keyed state; the points of
 * journal_details rows are looked up in a copy of the points table held by every task of the
 * grades sub-topology ({@link PointsLookup}), not by a foreign-key join.
 */
public final class EduToLmsTopology {

  /** The EDU tables this topology reads. */
  public static final List<String> INPUT_TABLES = EduTables.ALL;

  /** The LMS tables this topology produces. */
  public static final List<String> OUTPUT_TABLES =
      List.of(
          "users",
          "persons",
          "organization_units",
          "students",
          "staff_members",
          "academic_terms",
          "courses",
          "course_offerings",
          "course_instructors",
          "course_enrollments",
          "assessments",
          "assessment_submissions",
          "grades",
          "file_uploads",
          "course_materials");

  /** Debezium's placeholder for an unchanged TOASTed column in an update event. */
  public static final String UNAVAILABLE_VALUE = "__debezium_unavailable_value";

  private static final EduKeySerde KEY = new EduKeySerde();
  /** Debezium JSON: the edu.public.* source topics. */
  private static final EduRowSerde ROW = new EduRowSerde();
  /** Smile: state stores, changelogs, repartition and join topics. */
  private static final EduRowStoreSerde STORED = new EduRowStoreSerde();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The store of {@link #users()}'s table: users.id → an empty row, for the users that map. */
  static final String MAPPABLE_USERS = "mappable-users";

  /** The value of a row whose presence alone is looked up. */
  private static final EduRow PRESENT = new EduRow(JSON.createObjectNode(), 0);
  private static final String ALL = "all";
  /**
   * The source topics are compacted and hold the whole table: they serve as the source tables'
   * changelogs (measured in docs/benchmarks: see README §Measured).
   */
  private static final String OPTIMIZATION = StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS;

  private final StreamsBuilder builder;

  private EduToLmsTopology(StreamsBuilder builder) {
    this.builder = builder;
  }

  /** Builds the topology; pure: no I/O, no configuration beyond the topic names. */
  public static Topology buildTopology() {
    return new EduToLmsTopology(new StreamsBuilder()).build();
  }

  /**
   * Builds the topology for the given streams settings, which reach the builder: with {@code
   * processor.wrapper.class} set to {@link LiveCommits} every processor is wrapped by it.
   *
   * @param streamsConfig the properties the instance is started with ({@link #streamsConfig})
   */
  public static Topology buildTopology(Properties streamsConfig) {
    return new EduToLmsTopology(new StreamsBuilder(new TopologyConfig(new StreamsConfig(streamsConfig)))).build();
  }

  /**
   * Kafka Streams settings: exactly_once_v2, the given stream threads, state folder and commit
   * interval, no record cache, then the {@code kafka.*} and {@code streams.*} pass-through of the
   * configuration.
   */
  public static Properties streamsConfig(TransformConfig config) {
    return streamsConfig(config, config.commitIntervalMs());
  }

  /**
   * As {@link #streamsConfig(TransformConfig)} with the given commit interval (the live or the
   * catch-up one of {@link CatchUpPolicy}).
   *
   * @param commitIntervalMs {@code commit.interval.ms}, in ms
   */
  public static Properties streamsConfig(TransformConfig config, long commitIntervalMs) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitIntervalMs));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(config.streamThreads()));
    // The mapping does not depend on event time; processing time keeps every table update
    // in order (no out-of-order warnings from foreign-key join results that mix two inputs).
    p.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, WallclockTimestampExtractor.class.getName());
    // No record cache: measured at scale 0.1 (docs/benchmarks §Profile) the initial load took
    // 299 s without it against 350 s with 64 MB, and peak heap 0.9 GiB against 2.5 GiB; the cache's
    // own bookkeeping was a quarter of the stream thread, and DropUnchanged already stops the
    // repeats it would have collapsed.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    p.put(StreamsConfig.producerPrefix("linger.ms"), "5");
    p.put(StreamsConfig.producerPrefix("compression.type"), "none");
    p.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, OPTIMIZATION);
    // A crashed instance's tasks move to the others after 10 s (Kafka's default is 45 s).
    p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
    p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG), TransformEventCounter.class.getName());
    // kafka.* reaches every client of the application; streams.* is Kafka Streams' own keys.
    org.edu2lms.schemas.KafkaClientOverrides.apply(p, config.kafkaClient());
    config.streams().forEach(p::put);
    return p;
  }

  private Topology build() {
    KTable<Long, EduRow> dictionaries = table("dictionaries");

    // users, with the e-mail ownership rule (mapping.md §users), from each task's own copy of
    // every user's ownership e-mail (EmailOwners); the users that map, as the persons and files
    // look them up.
    KTable<Long, EduRow> mappableUsers = users();

    // persons (user hard).
    KTable<Long, EduRow> persons = lookup(table("persons"), "user_id", mappableUsers, PersonMapping.USER, present(), "persons-user");
    KTable<Long, EduRow> mappablePersons = emitAndKeepMappable(persons, PersonMapping::map, LmsTopics.PERSONS, "persons");

    // organization_units (name ← dictionaries NOT NULL, parent soft).
    KTable<Long, EduRow> namedOrgs =
        lookup(table("organizations"), "dic_id", dictionaries, OrganizationMapping.NAME, label(), "organizations-name");
    KTable<Long, EduRow> mappableNamedOrgs =
        namedOrgs.filter((id, o) -> OrganizationMapping.isMappable(o), Named.as("organizations-named-mappable"));
    KTable<Long, EduRow> orgs =
        namedOrgs.leftJoin(
            mappableNamedOrgs,
            (EduRow o) -> OrganizationMapping.parentId(o.row()),
            (o, parent) -> parent == null ? o.with(OrganizationMapping.PARENT, null) : o.with(OrganizationMapping.PARENT, BooleanNode.TRUE),
            TableJoined.as("organizations-parent"),
            store("organizations-parent"));
    KTable<Long, EduRow> mappableOrgs =
        emitAndKeepMappable(orgs, OrganizationMapping::map, LmsTopics.ORGANIZATION_UNITS, "organizations");

    // students, staff_members (person hard → the person's user; organization soft; position label).
    KTable<Long, EduRow> students =
        lookup(
            lookup(table("students"), "person_id", mappablePersons, PeopleMappings.PERSON, r -> r.row().get("user_id"), "students-person"),
            "org_id", mappableOrgs, PeopleMappings.ORG, present(), "students-org");
    KTable<Long, EduRow> mappableStudents = emitAndKeepMappable(students, PeopleMappings::student, LmsTopics.STUDENTS, "students");
    KTable<Long, EduRow> teachers =
        lookup(
            lookup(
                lookup(table("teachers"), "person_id", mappablePersons, PeopleMappings.PERSON, r -> r.row().get("user_id"), "teachers-person"),
                "org_id", mappableOrgs, PeopleMappings.ORG, present(), "teachers-org"),
            "position_dic_id", dictionaries, PeopleMappings.POSITION, label(), "teachers-position");
    KTable<Long, EduRow> mappableStaff =
        emitAndKeepMappable(teachers, PeopleMappings::staffMember, LmsTopics.STAFF_MEMBERS, "teachers");

    // academic_terms ← edu_years × semesters.
    KStream<Long, EduRow> yearChanges = builder.stream(EduTables.topic("edu_years"), Consumed.with(KEY, ROW).withName("source-edu_years"));
    KStream<Long, EduRow> semesterChanges = builder.stream(EduTables.topic("semesters"), Consumed.with(KEY, ROW).withName("source-semesters"));
    KTable<Long, EduRow> allYears = yearChanges.toTable(Named.as("edu_years-table"), store("edu-edu_years"));
    KTable<Long, EduRow> allSemesters = semesterChanges.toTable(Named.as("semesters-table"), store("edu-semesters"));
    emitSideRecords(allYears.mapValues(y -> CurriculumMappings.termSourceProblem("edu_years", y), Named.as("edu_years-map")).toStream(Named.as("edu_years-results")), "edu_years");
    emitSideRecords(allSemesters.mapValues(s -> CurriculumMappings.termSourceProblem("semesters", s), Named.as("semesters-map")).toStream(Named.as("semesters-results")), "semesters");
    KTable<Long, EduRow> years = allYears.filter((id, y) -> CurriculumMappings.termSourceProblem("edu_years", y) == null, Named.as("edu_years-with-name"));
    KTable<Long, EduRow> semesters =
        allSemesters.filter((id, s) -> CurriculumMappings.termSourceProblem("semesters", s) == null, Named.as("semesters-with-term-type"));
    academicTerms(yearChanges, semesterChanges);

    // courses ← education_plan_subject (name label NOT NULL; organization soft via the plan).
    KTable<Long, EduRow> plans = table("education_plan");
    KTable<Long, EduRow> subjects =
        lookup(
            lookup(
                lookup(table("education_plan_subject"), "subject_dic_id", dictionaries, CurriculumMappings.NAME, label(), "courses-name"),
                "education_plan_id", plans, CurriculumMappings.PLAN, p -> JSON.createObjectNode().set("org_id", p.row().get("org_id")), "courses-plan"),
            r -> planOrg(r), mappableOrgs, CurriculumMappings.ORG, present(), "courses-org");
    KTable<Long, EduRow> mappableCourses = emitAndKeepMappable(subjects, CurriculumMappings::course, LmsTopics.COURSES, "education_plan_subject");

    // course_offerings ← course.
    KTable<Long, EduRow> sections =
        lookup(
            lookup(
                lookup(
                    lookup(table("course"), "education_plan_subject_id", mappableCourses, CurriculumMappings.COURSE, present(), "offerings-course"),
                    "edu_year_id", years, CurriculumMappings.YEAR, present(), "offerings-year"),
                "semester_id", semesters, CurriculumMappings.SEMESTER, present(), "offerings-semester"),
            "language_id", dictionaries, CurriculumMappings.LANGUAGE, d -> TextNode.valueOf(String.valueOf(Rows.text(d.row(), "name_en"))), "offerings-language");
    KTable<Long, MappingResult<org.edu2lms.schemas.lms.CourseOffering>> offeringResults =
        sections.mapValues(r -> guarded(() -> CurriculumMappings.offering(r), r.lsn()), Named.as("course-map"));
    emit(offeringResults, LmsTopics.COURSE_OFFERINGS, "course");
    componentAssessments(offeringResults);
    KTable<Long, EduRow> mappableOfferings =
        sections.filter((id, r) -> guarded(() -> CurriculumMappings.offering(r), r.lsn()).isOk(), Named.as("course-mappable"));

    // course_instructors ← course_teacher.
    KTable<Long, EduRow> courseTeachers =
        lookup(
            lookup(table("course_teacher"), "course_id", mappableOfferings, CurriculumMappings.OFFERING, present(), "instructors-offering"),
            "teacher_id", mappableStaff, CurriculumMappings.STAFF, present(), "instructors-staff");
    emitAndKeepMappable(courseTeachers, CurriculumMappings::instructor, LmsTopics.COURSE_INSTRUCTORS, "course_teacher");

    // course_enrollments ← journal (offering and student from the task's own copies: BroadcastLookup).
    KStream<Long, EduRow> journal =
        broadcastLookup(
            "enrollments",
            "journal",
            List.of(
                new BroadcastLookup.Parent("offering", GradebookMappings.OFFERING, foreignKey("course_id"), present()),
                new BroadcastLookup.Parent("student", GradebookMappings.STUDENT, foreignKey("student_id"), present())),
            List.of(mappableOfferings.toStream(Named.as("enrollments-offering-changes")), mappableStudents.toStream(Named.as("enrollments-student-changes"))),
            EduToLmsTopology::journalForGrades);
    // Only the changes that move what the grades hold of a journal row go to their tasks.
    KStream<Long, EduRow> mappableEnrollments =
        emitAndKeepMappable(journal, GradebookMappings::enrollment, LmsTopics.COURSE_ENROLLMENTS, "journal")
            .processValues(
                () -> new DropUnchangedProjection<>((previous, j) -> Arrays.equals(previous, journalForGrades(j, j != null))),
                Named.as("grades-journal-enrollment-changes"));

    // assessments ← exam.
    KTable<Long, EduRow> exams =
        lookup(
            lookup(
                lookup(table("exam"), "course_id", mappableOfferings, GradebookMappings.OFFERING, present(), "exams-offering"),
                "exam_type_dic_id", dictionaries, GradebookMappings.TYPE, d -> JSON.createObjectNode().set("name_en", d.row().get("name_en")), "exams-type"),
            "title_dic_id", dictionaries, GradebookMappings.TITLE, label(), "exams-title");
    KTable<Long, EduRow> mappableExams = emitAndKeepMappable(exams, GradebookMappings::examAssessment, LmsTopics.ASSESSMENTS, "exam");

    // assessment_submissions ← exam_result (exam and student from the task's own copies).
    KStream<Long, EduRow> results =
        broadcastLookup(
            "submissions",
            "exam_result",
            List.of(
                new BroadcastLookup.Parent("exam", GradebookMappings.EXAM, foreignKey("exam_id"), present()),
                new BroadcastLookup.Parent("student", GradebookMappings.STUDENT, foreignKey("student_id"), present())),
            List.of(mappableExams.toStream(Named.as("submissions-exam-changes")), mappableStudents.toStream(Named.as("submissions-student-changes"))),
            null);
    emitAndKeepMappable(results, GradebookMappings::submission, LmsTopics.ASSESSMENT_SUBMISSIONS, "exam_result");

    // grades ← journal_details (enrollment hard, from the task's own copy of the mappable
    // enrollments; points from its copy of the points table). The rows store of the lookup is
    // also the table the points lookup scans.
    String grades = "grades-journal";
    KStream<Long, EduRow> detailsWithJournal =
        broadcastLookup(
            grades,
            "journal_details",
            List.of(new BroadcastLookup.Parent("enrollment", GradebookMappings.JOURNAL, foreignKey("journal_id"), EduToLmsTopology::journalOf)),
            List.of(mappableEnrollments),
            EduToLmsTopology::gradeSlotsThatMayBeLive);
    grades(withPoints(detailsWithJournal, BroadcastLookup.rowsStore(grades)));

    // file_uploads ← files; course_materials ← course_meeting_topic_file.
    KTable<Long, EduRow> files = lookup(table("files"), "user_id", mappableUsers, CurriculumMappings.USER, present(), "files-user");
    KTable<Long, EduRow> mappableFiles = emitAndKeepMappable(files, CurriculumMappings::fileUpload, LmsTopics.FILE_UPLOADS, "files");
    KTable<Long, EduRow> topics =
        lookup(toastMerged("course_meeting_topic"), "course_id", mappableOfferings, CurriculumMappings.OFFERING, present(), "topics-offering");
    KTable<Long, EduRow> materials =
        lookup(
            lookup(table("course_meeting_topic_file"), "topic_id", topics, CurriculumMappings.TOPIC, t -> t.row(), "materials-topic"),
            "file_id", mappableFiles, CurriculumMappings.FILE, present(), "materials-file");
    emitAndKeepMappable(materials, CurriculumMappings::material, LmsTopics.COURSE_MATERIALS, "course_meeting_topic_file");

    heartbeat();

    Properties optimization = new Properties();
    optimization.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, OPTIMIZATION);
    return builder.build(optimization);
  }

  /**
   * Forwards each heartbeat row of EDU {@link EduTables#HEARTBEAT} (its transaction time, column
   * {@code ts}) to {@link LmsTopics#HEARTBEAT}, through the same task and commit as the data, so the
   * sink's record of it measures the whole path. Deletes of the row are not forwarded.
   */
  private void heartbeat() {
    builder
        .stream(EduTables.topic(EduTables.HEARTBEAT), Consumed.with(KEY, ROW).withName("source-" + EduTables.HEARTBEAT))
        .filter((id, beat) -> beat != null && beat.row().hasNonNull("ts"), Named.as("heartbeat-rows"))
        .map((id, beat) -> KeyValue.pair(Long.toString(id), beat.row().get("ts").asText()), Named.as("heartbeat-time"))
        .to(
            LmsTopics.HEARTBEAT.name(),
            Produced.with(LmsTopics.HEARTBEAT.keySerde(), LmsTopics.HEARTBEAT.valueSerde()).withName("sink-heartbeat"));
  }

  // ------------------------------------------------------------------ building blocks

  /**
   * A source table. Its store keeps the Debezium JSON envelope ({@link EduRowSerde}) so that,
   * with {@code topology.optimization=reuse.ktable.source.topics}, the compacted source topic is
   * its changelog: no second copy of every EDU row is written to Kafka.
   */
  private KTable<Long, EduRow> table(String eduTable) {
    return builder.table(
        EduTables.topic(eduTable),
        Consumed.with(KEY, ROW).withName("source-" + eduTable),
        Materialized.<Long, EduRow, KeyValueStore<Bytes, byte[]>>as("edu-" + eduTable).withKeySerde(KEY).withValueSerde(ROW));
  }

  private static Materialized<Long, EduRow, KeyValueStore<Bytes, byte[]>> store(String name) {
    return Materialized.<Long, EduRow, KeyValueStore<Bytes, byte[]>>as(name).withKeySerde(KEY).withValueSerde(STORED);
  }

  private static Function<EduRow, JsonNode> present() {
    return r -> BooleanNode.TRUE;
  }

  private static Function<EduRow, JsonNode> label() {
    return d -> TextNode.valueOf(Labels.fromDictionary(d.row()));
  }

  /**
   * A reference: adds the derived column {@code as} to each left row: {@code extract(parent)}
   * when the parent (a row of {@code right}) exists, else JSON null. The row keeps its own LSN
   * (see {@link EduRow#with}). A left join on the foreign key {@code column} (NULL → no parent).
   */
  private KTable<Long, EduRow> lookup(
      KTable<Long, EduRow> left, String column, KTable<Long, EduRow> right, String as, Function<EduRow, JsonNode> extract, String name) {
    return lookup(left, r -> Rows.longValue(r.row(), column), right, as, extract, name);
  }

  /**
   * As above with a computed foreign key. The join result passes through {@link DropUnchanged}:
   * a parent update that leaves {@code extract(parent)} as it was re-computes the children
   * inside the join but stops there instead of re-emitting them and their own subtrees.
   */
  private KTable<Long, EduRow> lookup(
      KTable<Long, EduRow> left,
      Function<EduRow, Long> foreignKey,
      KTable<Long, EduRow> right,
      String as,
      Function<EduRow, JsonNode> extract,
      String name) {
    String digests = name + "-digests";
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(digests), KEY, Serdes.ByteArray()));
    return joined(left, foreignKey, right, as, extract, name)
        .processValues(() -> new DropUnchanged(digests, STORED.serializer()), Named.as(name + "-changes"), digests)
        .toTable(Named.as(name + "-table"), store(name));
  }

  /**
   * The foreign-key left join of a reference, as the stream of its results (every result, repeats
   * included; null values are deletions of the left row): each left row with {@code as} set to
   * {@code extract(parent)}, or JSON null when there is no parent.
   */
  private static KStream<Long, EduRow> joined(
      KTable<Long, EduRow> left,
      Function<EduRow, Long> foreignKey,
      KTable<Long, EduRow> right,
      String as,
      Function<EduRow, JsonNode> extract,
      String name) {
    return left.leftJoin(
            right,
            foreignKey,
            (l, r) -> l.with(as, r == null ? null : extract.apply(r)),
            TableJoined.as(name))
        .toStream(Named.as(name + "-results"));
  }

  /**
   * Emits the users with the owner of their e-mail ({@link EmailOwners#OWNER}), each task holding
   * the ownership e-mails of all users: a users change that moves the user's ownership e-mail is
   * multicast to each partition of {@link EmailOwners#BROADCAST}.
   *
   * @return the users that map ({@link UserMapping#isMappable}), keyed by users.id, each as an
   *     empty row (only presence is looked up); a change reaches the table, and the persons and
   *     files joined to it, only when it makes the user map or stop mapping ({@link
   *     DropUnchangedProjection})
   */
  private KTable<Long, EduRow> users() {
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EmailOwners.ROWS), KEY, Serdes.ByteArray()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EmailOwners.EMAIL_OF), KEY, Serdes.String()));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EmailOwners.HOLDERS), Serdes.String(), new LongSetSerde()));
    String[] stores = {EmailOwners.ROWS, EmailOwners.EMAIL_OF, EmailOwners.HOLDERS};
    // Each change derived once, with what the row forwarded before gave the receivers.
    KStream<Long, EduRow> changed =
        builder
            .stream(EduTables.topic("users"), Consumed.with(KEY, ROW).withName("source-users"))
            .processValues(EmailOwners.UserSide::new, Named.as("users-owners"), stores);
    KStream<Long, EduRow> rederived =
        changed
            .processValues(() -> new DropUnchangedProjection<>(EmailOwners::sameEmail), Named.as(EmailOwners.BROADCAST + "-changes"))
            .mapValues(u -> u == null ? null : UserMapping.ownershipEmail(u.row()), Named.as(EmailOwners.BROADCAST + "-values"))
            .repartition(
                Repartitioned.<Long, String>as(EmailOwners.BROADCAST)
                    .withKeySerde(KEY)
                    .withValueSerde(Serdes.String())
                    .withStreamPartitioner(PointsLookup.allPartitions()))
            .process(EmailOwners.OwnershipSide::new, Named.as(EmailOwners.BROADCAST + "-rederive"), stores);
    emit(
        changed
            .merge(rederived, Named.as("users-with-owners"))
            .processValues(
                BroadcastLookup.<EduRow, MappingResult<org.edu2lms.schemas.lms.User>>mapValuesWithoutHeaders(
                    u -> u == null ? null : guarded(() -> UserMapping.map(u, EmailOwners.ownerOf(u)), u.lsn())),
                Named.as("users-map")),
        LmsTopics.USERS,
        "users");
    return changed
        .processValues(() -> new DropUnchangedProjection<>(EmailOwners::sameMappability), Named.as("mappable-users-changes"))
        .mapValues(u -> u == null || !UserMapping.isMappable(u.row()) ? null : PRESENT, Named.as("mappable-users-values"))
        .toTable(Named.as("mappable-users-table"), store(MAPPABLE_USERS));
  }

  /** A child's foreign key column as a function ({@link Rows#longValue}: null when NULL). */
  private static Function<EduRow, Long> foreignKey(String column) {
    return r -> Rows.longValue(r.row(), column);
  }

  /**
   * The rows of an EDU child table with one derived column per parent, each parent looked up in
   * the task's own copy ({@link BroadcastLookup}): the child's changes are read as a stream of
   * its source topic; each parent's changes are multicast to every partition of {@code
   * <lookup>-<parent>-broadcast}.
   *
   * @param lookup the name of the lookup's stores and topics
   * @param eduTable the child table
   * @param parents the child's references
   * @param parentChanges per reference, the parent's changes: the row when it exists and maps,
   *     null otherwise
   * @param previousSummary what the {@link BroadcastLookup#PREVIOUS} header of each forwarded
   *     child change holds, from the row forwarded for the key before; null: no header
   * @return the derived child rows, keyed by the child id, repeats dropped; null values are
   *     deletions
   */
  private KStream<Long, EduRow> broadcastLookup(
      String lookup, String eduTable, List<BroadcastLookup.Parent> parents, List<KStream<Long, EduRow>> parentChanges, Function<EduRow, byte[]> previousSummary) {
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BroadcastLookup.rowsStore(lookup)), KEY, Serdes.ByteArray()));
    for (BroadcastLookup.Parent p : parents) {
      builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(p.copyStore(lookup)), KEY, STORED));
      builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(p.indexStore(lookup)), Serdes.Bytes(), Serdes.ByteArray()));
    }
    String[] stores = BroadcastLookup.stores(lookup, parents);
    KStream<Long, EduRow> out =
        builder
            .stream(EduTables.topic(eduTable), Consumed.with(KEY, ROW).withName("source-" + eduTable))
            .processValues(() -> new BroadcastLookup.ChildSide(lookup, parents, previousSummary), Named.as(lookup + "-children"), stores);
    for (int i = 0; i < parents.size(); i++) {
      BroadcastLookup.Parent p = parents.get(i);
      int index = i;
      KStream<Long, EduRow> rederived =
          parentChanges
              .get(i)
              .mapValues(r -> r == null ? null : new EduRow(p.extract().apply(r), 0), Named.as(p.broadcast(lookup) + "-values"))
              .repartition(
                  Repartitioned.<Long, EduRow>as(p.broadcast(lookup))
                      .withKeySerde(KEY)
                      .withValueSerde(STORED)
                      .withStreamPartitioner(PointsLookup.allPartitions()))
              .process(() -> new BroadcastLookup.ParentSide(lookup, parents, index), Named.as(p.broadcast(lookup) + "-rederive"), stores);
      out = out.merge(rederived, Named.as(lookup + "-" + p.name() + "-merged"));
    }
    return out;
  }

  private static Long planOrg(EduRow r) {
    JsonNode plan = r.row().get(CurriculumMappings.PLAN);
    return plan == null || plan.isNull() ? null : Rows.longValue(plan, "org_id");
  }

  /** Maps, emits, and returns the rows that map (the parents their children may reference). */
  private <T> KTable<Long, EduRow> emitAndKeepMappable(
      KTable<Long, EduRow> rows, Function<EduRow, MappingResult<T>> mapping, Topic<String, T> topic, String eduTable) {
    emit(rows.mapValues(r -> guarded(() -> mapping.apply(r), r.lsn()), Named.as(eduTable + "-map")), topic, eduTable);
    return rows.filter((id, r) -> guarded(() -> mapping.apply(r), r.lsn()).isOk(), Named.as(eduTable + "-mappable"));
  }

  /**
   * As {@link #emitAndKeepMappable(KTable, Function, Topic, String)} for a stream of rows (null:
   * deleted), returning the stream of the rows that map with null for every other change: the
   * parent changes of a {@link BroadcastLookup}.
   */
  private <T> KStream<Long, EduRow> emitAndKeepMappable(
      KStream<Long, EduRow> rows, Function<EduRow, MappingResult<T>> mapping, Topic<String, T> topic, String eduTable) {
    // Each row is mapped once; its result feeds both the emit and the mappable rows.
    KStream<Long, Mapped<T>> mapped =
        rows.mapValues(r -> r == null ? null : new Mapped<>(r, guarded(() -> mapping.apply(r), r.lsn())), Named.as(eduTable + "-map"));
    emit(
        mapped.processValues(BroadcastLookup.<Mapped<T>, MappingResult<T>>mapValuesWithoutHeaders(m -> m == null ? null : m.result()), Named.as(eduTable + "-result")),
        topic,
        eduTable);
    return mapped.mapValues(m -> m != null && m.result().isOk() ? m.row() : null, Named.as(eduTable + "-mappable"));
  }

  /** A row and what its mapping made of it, within one task (never serialized). */
  private record Mapped<T>(EduRow row, MappingResult<T> result) {}

  /**
   * Runs a mapping; any exception becomes a {@code mapping_error} quarantine result (mapping.md
   * §Reason codes). Public so that {@code edu2lms verify} recomputes rows through the same guard.
   *
   * @param lsn the source position given to the {@code mapping_error} result
   */
  public static <T> MappingResult<T> guarded(Supplier<MappingResult<T>> mapping, long lsn) {
    try {
      return mapping.get();
    } catch (RuntimeException e) {
      return MappingResult.mappingError(e, lsn);
    }
  }

  /**
   * Sends each result to the LMS topic (value or tombstone) and its quarantine record and
   * data-quality notes ({@link #emitSideRecords}). A deleted EDU row (null result) tombstones
   * the LMS row.
   */
  private <T> void emit(KTable<Long, MappingResult<T>> results, Topic<String, T> topic, String eduTable) {
    emit(results.toStream(Named.as(eduTable + "-results")), topic, eduTable);
  }

  /** As {@link #emit(KTable, Topic, String)} for a stream of results (null: the EDU row was deleted). */
  private <T> void emit(KStream<Long, MappingResult<T>> changes, Topic<String, T> topic, String eduTable) {
    changes
        .map(
            (id, r) -> KeyValue.pair(LegacyIds.forRow(eduTable, id).toString(), r != null && r.isOk() ? r.record() : null),
            Named.as(eduTable + "-to-lms"))
        .to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde()).withName("sink-" + eduTable + "-lms"));
    emitSideRecords(changes, eduTable);
  }

  /**
   * The quarantine record and notes of a one-result table ({@link #emitSideRecords(KStream, String,
   * boolean)} with component 0); alone for tables whose accepted rows have no LMS record of their
   * own (edu_years, semesters).
   */
  private <T> void emitSideRecords(KStream<Long, MappingResult<T>> results, String eduTable) {
    emitSideRecords(results.mapValues(r -> r == null ? null : List.of(r), Named.as(eduTable + "-slots")), eduTable, false);
  }

  /**
   * Sends each result's quarantine record and data-quality notes (mapping.md §Quarantine), and a
   * tombstone for a record of either kind that was live and no longer is (accepted, re-mapped
   * without notes, deleted). No tombstone is sent for a key that never had a record ({@link
   * SideRecords}).
   *
   * @param changes per EDU id the result of each slot (null when deleted or no result)
   * @param eduTable the EDU table (the quarantine keys' table)
   * @param components whether slot i is component i+1 (journal_details) rather than component 0
   */
  private <T> void emitSideRecords(KStream<Long, List<MappingResult<T>>> changes, String eduTable, boolean components) {
    String masks = eduTable + "-side-records";
    int slots = components ? 3 : 1;
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(masks), KEY, Serdes.Integer()));
    KStream<Long, SideRecords<T>> sides = changes.processValues(() -> new SideRecords.Memory<T>(masks), Named.as(eduTable + "-side-records-memory"), masks);
    sides
        .flatMap(
            (id, side) -> {
              List<KeyValue<String, QuarantineRecord>> out = new ArrayList<>(1);
              for (int slot = 0; slot < slots; slot++) {
                int component = components ? slot + 1 : 0;
                QuarantineRecord q = quarantineRecord(eduTable, id, component, side.result(slot));
                if (q != null || side.quarantinedBefore(slot)) {
                  out.add(KeyValue.pair(LmsTopics.quarantineKey(eduTable, id, component), q));
                }
              }
              return out;
            },
            Named.as(eduTable + "-to-quarantine"))
        .to(LmsTopics.QUARANTINE.name(), Produced.with(LmsTopics.QUARANTINE.keySerde(), LmsTopics.QUARANTINE.valueSerde()).withName("sink-" + eduTable + "-quarantine"));
    sides
        .flatMap(
            (id, side) -> {
              List<KeyValue<String, String>> out = new ArrayList<>(1);
              for (int slot = 0; slot < slots; slot++) {
                int component = components ? slot + 1 : 0;
                String notes = notes(side.result(slot));
                if (notes != null || side.notedBefore(slot)) {
                  out.add(KeyValue.pair(LmsTopics.quarantineKey(eduTable, id, component), notes));
                }
              }
              return out;
            },
            Named.as(eduTable + "-to-notes"))
        .to(LmsTopics.NOTES.name(), Produced.with(LmsTopics.NOTES.keySerde(), LmsTopics.NOTES.valueSerde()).withName("sink-" + eduTable + "-notes"));
  }

  /** The data-quality notes of an accepted row, comma-separated; null (a tombstone) when none. */
  private static String notes(MappingResult<?> r) {
    return r == null || !r.isOk() || r.notes().isEmpty() ? null : String.join(",", r.notes());
  }

  private static QuarantineRecord quarantineRecord(String eduTable, long id, int component, MappingResult<?> r) {
    if (r == null || r.isOk()) {
      return null;
    }
    return QuarantineRecord.newBuilder()
        .setSourceTable(eduTable)
        .setSourceId(id)
        .setComponent(component)
        .setReason(r.reason())
        .setDetail(r.detail())
        .setSourceLsn(r.sourceLsn())
        .build();
  }

  /** Three component assessments per offering that maps; tombstones otherwise. Never quarantined. */
  private static void componentAssessments(KTable<Long, MappingResult<org.edu2lms.schemas.lms.CourseOffering>> offerings) {
    offerings
        .toStream(Named.as("components-offerings"))
        .flatMap(
            (courseId, r) -> {
              List<KeyValue<String, Assessment>> out = new ArrayList<>(3);
              for (int n = 1; n <= 3; n++) {
                out.add(
                    KeyValue.pair(
                        LegacyIds.forComponent(courseId, n).toString(),
                        r != null && r.isOk() ? GradebookMappings.componentAssessment(courseId, n, r.sourceLsn()) : null));
              }
              return out;
            },
            Named.as("components"))
        .to(LmsTopics.ASSESSMENTS.name(), Produced.with(LmsTopics.ASSESSMENTS.keySerde(), LmsTopics.ASSESSMENTS.valueSerde()).withName("sink-components"));
  }

  /**
   * What the grades' tasks hold of a journal row, as {@link BroadcastLookup#PREVIOUS} bytes: the
   * {@link BroadcastLookup} summary of the enrollments lookup, compared with each change of the
   * mappable enrollments before it is multicast (their copy holds {@link #journalOf} of the rows
   * that map as course_enrollments, nothing of the others).
   *
   * @param journal the journal row forwarded before, with its derived columns; null when none
   * @return {@code {0}} when there is none or it does not map (mapping.md §course_enrollments),
   *     else {@code 1} followed by the JSON bytes of {@link #journalOf}
   */
  static byte[] journalForGrades(EduRow journal) {
    return journalForGrades(journal, journal != null && guarded(() -> GradebookMappings.enrollment(journal), journal.lsn()).isOk());
  }

  private static byte[] journalForGrades(EduRow journal, boolean maps) {
    if (!maps) {
      return DropUnchangedProjection.nothingHeld();
    }
    try {
      return DropUnchangedProjection.held(JSON.writeValueAsBytes(journalOf(journal)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree of two values cannot fail to serialize", e);
    }
  }

  /** What the journal lookup adds to a journal_details row: the journal's course and student. */
  private static JsonNode journalOf(EduRow journal) {
    return JSON.createObjectNode().<ObjectNode>set("course_id", journal.row().get("course_id")).set("student_id", journal.row().get("student_id"));
  }

  /**
   * Three grades per journal_details row; component n's quarantine key ends in n. A slot without
   * an accepted grade sends a tombstone only when it may hold a live grade ({@link
   * GradeChange#mayBeLive}): a row that held nothing before sends only its accepted grades
   * (at the initial load that was 420 k tombstones for 543 k grades at scale 0.1, docs/benchmarks
   * §One store for the grades path), and a later change sends no tombstone for a slot whose point
   * id was NULL before (at 1,000 live changes/s about a third of the grades records were such
   * tombstones, each a delete in the sink of a row that never existed: docs/benchmarks §What the
   * live p99 is made of).
   */
  private void grades(KStream<Long, EduRow> details) {
    KStream<Long, GradeChange> changes = details.processValues(BroadcastLookup.mapValuesWithPrevious(GradeChange::of), Named.as("journal_details-map"));
    changes
        .flatMap(
            (id, change) -> {
              List<KeyValue<String, Grade>> out = new ArrayList<>(3);
              for (int n = 1; n <= 3; n++) {
                MappingResult<Grade> r = change.results() == null ? null : change.results().get(n - 1);
                if (r != null && r.isOk()) {
                  out.add(KeyValue.pair(LegacyIds.forGrade(id, n).toString(), r.record()));
                } else if (change.mayBeLive(n)) {
                  out.add(KeyValue.pair(LegacyIds.forGrade(id, n).toString(), null));
                }
              }
              return out;
            },
            Named.as("journal_details-to-lms"))
        .to(LmsTopics.GRADES.name(), Produced.with(LmsTopics.GRADES.keySerde(), LmsTopics.GRADES.valueSerde()).withName("sink-journal_details-lms"));
    emitSideRecords(changes.mapValues(GradeChange::results, Named.as("journal_details-results")), "journal_details", true);
  }

  /** Every grade slot, as a {@link GradeChange#slotsThatMayBeLive} mask. */
  static final int ALL_SLOTS = 0b111;

  /**
   * The {@link BroadcastLookup#PREVIOUS} summary of the grades path: which slots of the
   * journal_details row forwarded before may hold a live grade, as one byte with bit n-1 set when
   * that row's point_id_n was present and not NULL. A slot whose point id was NULL mapped to no
   * grade ({@link GradebookMappings#grades}: no mark, no grade), so no LMS grade of it is live and
   * a tombstone would delete nothing; any other value, even one that did not map, counts as maybe
   * live. No row before: 0.
   *
   * @param previous the row forwarded for the key before, with its derived columns; null when none
   * @return one byte, the mask
   */
  static byte[] gradeSlotsThatMayBeLive(EduRow previous) {
    int mask = 0;
    for (int n = 1; previous != null && n <= 3; n++) {
      JsonNode point = previous.row().get("point_id_" + n);
      if (point != null && !point.isNull()) {
        mask |= 1 << (n - 1);
      }
    }
    return new byte[] {(byte) mask};
  }

  /**
   * The grades of one journal_details change.
   *
   * @param results three entries, index n-1, each a result or null ({@link #guardedGrades}); null
   *     when the row is deleted
   * @param slotsThatMayBeLive bit n-1 set when slot n may hold a live grade, so that a slot without
   *     an accepted grade needs a tombstone ({@link #gradeSlotsThatMayBeLive}; {@link #ALL_SLOTS}
   *     when the change carries no summary: a row re-derived by a journal or points change)
   */
  record GradeChange(List<MappingResult<Grade>> results, int slotsThatMayBeLive) {

    /** Whether slot n (1..3) may hold a live grade. */
    boolean mayBeLive(int n) {
      return (slotsThatMayBeLive & (1 << (n - 1))) != 0;
    }

    /**
     * The grades of a row (null when deleted) and the {@link BroadcastLookup#PREVIOUS} header of
     * its change (null when it has none: {@link #ALL_SLOTS}).
     */
    static GradeChange of(EduRow d, byte[] previous) {
      int mayBeLive = previous == null || previous.length != 1 ? ALL_SLOTS : previous[0] & ALL_SLOTS;
      return new GradeChange(d == null ? null : guardedGrades(d), mayBeLive);
    }
  }

  /**
   * The three grades of a journal_details row ({@link GradebookMappings#grades}), guarded: when
   * the mapping throws, every component whose point_id_n is set becomes a {@code mapping_error}.
   *
   * @param d the journal_details row with {@link GradebookMappings#JOURNAL} and {@link
   *     GradebookMappings#POINTS}
   * @return three entries, index n-1, each a result or null (point_id_n NULL)
   */
  public static List<MappingResult<Grade>> guardedGrades(EduRow d) {
    try {
      return GradebookMappings.grades(d);
    } catch (RuntimeException e) {
      List<MappingResult<Grade>> out = new ArrayList<>(3);
      for (int n = 1; n <= 3; n++) {
        out.add(Rows.longValue(d.row(), "point_id_" + n) == null ? null : MappingResult.mappingError(e, d.lsn()));
      }
      return out;
    }
  }

  /**
   * The points a journal_details row references, {"id": {value, code}}, from the whole table.
   *
   * @param detail the journal_details row
   * @param all the points table as one row {"&lt;id&gt;": points row, …}; null when empty
   */
  public static JsonNode pointsOf(EduRow detail, EduRow all) {
    return pointsOf(detail, all == null ? id -> null : id -> all.row().get(Long.toString(id)));
  }

  /**
   * The points a journal_details row references, {"id": points row}, from a lookup by id.
   *
   * @param detail the journal_details row
   * @param point the points row of an id, or null when there is none
   */
  static JsonNode pointsOf(EduRow detail, LongFunction<JsonNode> point) {
    ObjectNode out = JSON.createObjectNode();
    for (int n = 1; n <= 3; n++) {
      Long id;
      try {
        id = Rows.longValue(detail.row(), "point_id_" + n);
      } catch (RuntimeException e) {
        continue; // the mapping reports it as a mapping_error
      }
      JsonNode p = id == null ? null : point.apply(id);
      if (p != null) {
        out.set(Long.toString(id), p);
      }
    }
    return out;
  }

  /**
   * journal_details rows with their points ({@link PointsLookup}): every points change is
   * multicast to all partitions of the repartition topic {@code points-broadcast}, so the task of
   * each journal_details row holds the whole points table; a points change re-derives the rows of
   * the task that reference it.
   *
   * @param details the journal_details rows with their journal, as kept in {@code detailsStore}
   *     ({@link BroadcastLookup#rowsStore})
   * @return the rows with {@link GradebookMappings#POINTS}, keyed by journal_details.id; null
   *     values are deletions
   */
  private KStream<Long, EduRow> withPoints(KStream<Long, EduRow> details, String detailsStore) {
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PointsLookup.STORE), KEY, STORED));
    KStream<Long, EduRow> pointChanges =
        builder
            .stream(EduTables.topic("points"), Consumed.with(KEY, ROW).withName("source-points"))
            .repartition(
                Repartitioned.<Long, EduRow>as("points-broadcast")
                    .withKeySerde(KEY)
                    .withValueSerde(STORED)
                    .withStreamPartitioner(PointsLookup.allPartitions()))
            .process(() -> new PointsLookup.PointSide(detailsStore), Named.as("points-rederive"), PointsLookup.STORE, detailsStore);
    return details
        .processValues(PointsLookup.DetailSide::new, Named.as("journal_details-points"), PointsLookup.STORE)
        .merge(pointChanges, Named.as("journal_details-with-points"));
  }

  /** A change of one row as a row: {"_id": id, "_row": row or null}, so deletes are not dropped by aggregations. */
  private static EduRow change(Long id, EduRow row) {
    ObjectNode c = JSON.createObjectNode();
    c.put("_id", id);
    c.set("_row", row == null ? c.nullNode() : row.row());
    return new EduRow(c, row == null ? 0 : row.lsn());
  }

  /**
   * academic_terms: one row per edu_years × semesters pair (a year with a name, a semester with a
   * known code; the others are quarantined, CurriculumMappings.termSourceProblem). Both
   * tables are aggregated into one state; each change emits every current pair and tombstones
   * the pairs it removed.
   */
  private void academicTerms(KStream<Long, EduRow> yearChanges, KStream<Long, EduRow> semesterChanges) {
    KStream<String, EduRow> changes =
        yearChanges
            .map((id, row) -> KeyValue.pair(ALL, tagged("y", change(id, row))), Named.as("terms-years"))
            .merge(semesterChanges.map((id, row) -> KeyValue.pair(ALL, tagged("s", change(id, row))), Named.as("terms-semesters")), Named.as("terms-changes"));
    changes
        .groupByKey(Grouped.with("terms-all", Serdes.String(), STORED))
        .aggregate(
            () -> new EduRow(JSON.createObjectNode().<ObjectNode>set("y", JSON.createObjectNode()).set("s", JSON.createObjectNode()), 0),
            (k, change, state) -> applyTermChange(state, change),
            Named.as("terms-aggregate"),
            Materialized.<String, EduRow, KeyValueStore<Bytes, byte[]>>as("terms-all")
                .withKeySerde(Serdes.String())
                .withValueSerde(STORED)
                .withCachingDisabled())
        .toStream(Named.as("terms-state"))
        .flatMap((k, state) -> termRecords(state), Named.as("terms"))
        .to(LmsTopics.ACADEMIC_TERMS.name(), Produced.with(LmsTopics.ACADEMIC_TERMS.keySerde(), LmsTopics.ACADEMIC_TERMS.valueSerde()).withName("sink-terms"));
  }

  private static EduRow tagged(String kind, EduRow change) {
    ((ObjectNode) change.row()).put("_kind", kind);
    return change;
  }

  /** Applies a year or semester change; records under "_removed" the term ids the change removed. */
  private static EduRow applyTermChange(EduRow state, EduRow change) {
    ObjectNode next = ((ObjectNode) state.row()).deepCopy();
    next.remove("_removed");
    String kind = change.row().get("_kind").asText();
    String id = change.row().get("_id").asText();
    JsonNode row = change.row().get("_row");
    List<String> before = termIds(next);
    ObjectNode side = (ObjectNode) next.get(kind);
    if (row == null || row.isNull()) {
      side.remove(id);
    } else {
      ObjectNode entry = JSON.createObjectNode();
      entry.set("row", row);
      entry.put("lsn", change.lsn());
      side.set(id, entry);
    }
    List<String> after = termIds(next);
    before.removeAll(after);
    var removed = next.putArray("_removed");
    before.forEach(removed::add);
    return new EduRow(next, Math.max(state.lsn(), change.lsn()));
  }

  private static List<String> termIds(ObjectNode state) {
    List<String> ids = new ArrayList<>();
    state.get("y").fields().forEachRemaining(y -> state.get("s").fields().forEachRemaining(s -> {
      if (makesTerm(y.getValue(), s.getValue())) {
        ids.add(LegacyIds.forTerm(Long.parseLong(y.getKey()), Long.parseLong(s.getKey())).toString());
      }
    }));
    return ids;
  }

  /** Whether a year entry and a semester entry of the terms state make a term (CurriculumMappings.termSourceProblem). */
  private static boolean makesTerm(JsonNode year, JsonNode semester) {
    return CurriculumMappings.termSourceProblem("edu_years", new EduRow(year.get("row"), 0)) == null
        && CurriculumMappings.termSourceProblem("semesters", new EduRow(semester.get("row"), 0)) == null;
  }

  private static List<KeyValue<String, AcademicTerm>> termRecords(EduRow state) {
    List<KeyValue<String, AcademicTerm>> out = new ArrayList<>();
    JsonNode s = state.row();
    s.get("y").fields().forEachRemaining(y -> s.get("s").fields().forEachRemaining(sem -> {
      if (makesTerm(y.getValue(), sem.getValue())) {
        EduRow year = new EduRow(y.getValue().get("row"), y.getValue().get("lsn").asLong());
        EduRow semester = new EduRow(sem.getValue().get("row"), sem.getValue().get("lsn").asLong());
        AcademicTerm t = CurriculumMappings.term(year, semester);
        out.add(KeyValue.pair(t.getId(), t));
      }
    }));
    JsonNode removed = s.get("_removed");
    if (removed != null) {
      removed.forEach(id -> out.add(KeyValue.pair(id.asText(), null)));
    }
    return out;
  }

  /**
   * A table whose update events may carry Debezium's unavailable-value placeholder for an
   * unchanged TOASTed column (course_meeting_topic.topic): the placeholder is replaced by the
   * value kept from the previous image, so it never overwrites the stored text.
   */
  private KTable<Long, EduRow> toastMerged(String eduTable) {
    String images = "edu-" + eduTable + "-images";
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(images), KEY, STORED));
    return builder
        .stream(EduTables.topic(eduTable), Consumed.with(KEY, ROW).withName("source-" + eduTable))
        .processValues(() -> new ToastMerge(images, UNAVAILABLE_VALUE), Named.as(eduTable + "-toast-merge"), images)
        .toTable(Named.as(eduTable + "-table"), store("edu-" + eduTable));
  }
}
