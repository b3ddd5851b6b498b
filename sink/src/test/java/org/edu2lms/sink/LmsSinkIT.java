package org.edu2lms.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.Topic;
import org.edu2lms.schemas.lms.OrganizationUnit;
import org.edu2lms.schemas.lms.Person;
import org.edu2lms.schemas.lms.User;
import org.edu2lms.sink.LmsTable.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sink on a real PostgreSQL (LMS constraints on) and a real Kafka broker: records are
 * produced to the lms.* topics directly, in the orders that break naive sinks, and the LMS is
 * checked value by value. Each test has its own LMS database and consumer group, starting at the
 * current end of the topics.
 */
class LmsSinkIT {

  private static final int PARTITIONS = 3;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private static Path dataDir;
  private static EmbeddedPostgresServer pg;
  private static EmbeddedKafkaCluster kafka;
  private static Admin admin;
  private static KafkaProducer<byte[], byte[]> producer;

  private final List<LmsSink> sinks = new ArrayList<>();
  private Connection lms;
  private SinkConfig config;

  @BeforeAll
  static void startInfrastructure() throws Exception {
    dataDir = Files.createTempDirectory("edu2lms-sink-it");
    pg = EmbeddedPostgresServer.start(dataDir.resolve("postgres"));
    kafka = EmbeddedKafkaCluster.start(dataDir.resolve("kafka"));
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    admin = Admin.create(a);
    List<NewTopic> topics = new ArrayList<>();
    for (Topic<String, ?> t : LmsTopics.ALL) {
      topics.add(new NewTopic(t.name(), PARTITIONS, (short) 1));
    }
    topics.add(new NewTopic(LmsTopics.DEAD_LETTER, 1, (short) 1));
    admin.createTopics(topics).all().get();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stopInfrastructure() throws Exception {
    producer.close();
    admin.close();
    kafka.close();
    pg.close();
  }

  @AfterEach
  void stopSinks() throws Exception {
    for (LmsSink s : sinks) {
      s.close();
    }
    if (lms != null) {
      lms.close();
    }
  }

  /** A fresh LMS database (migrated), a new consumer group positioned at the topics' end. */
  private void freshLms(SinkConfig base) throws Exception {
    String db = "lms_it_" + DATABASES.incrementAndGet();
    if (!pg.running()) {
      pg.restart();
    }
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), EmbeddedPostgresServer.USER, "");
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
    LmsSchema.migrate(pg.jdbcUrl(db), EmbeddedPostgresServer.USER, "");
    lms = DriverManager.getConnection(pg.jdbcUrl(db), EmbeddedPostgresServer.USER, "");
    // A bounded socket read: a connection the server dropped fails fast instead of waiting.
    config = base.withLmsJdbcUrl(pg.jdbcUrl(db) + "?socketTimeout=20").withGroupId("sink-it-" + db);
    positionGroupAtEnd(config.groupId());
  }

  private SinkConfig defaults() {
    return new SinkConfig("jdbc:postgresql://localhost/none", EmbeddedPostgresServer.USER, "", kafka.bootstrapServers(), "none")
        .withParking(Duration.ofMinutes(10), Duration.ofMillis(500));
  }

  private static void positionGroupAtEnd(String group) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (Topic<String, ?> t : LmsTopics.ALL) {
      for (int i = 0; i < PARTITIONS; i++) {
        latest.put(new TopicPartition(t.name(), i), OffsetSpec.latest());
      }
    }
    Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, new OffsetAndMetadata(info.offset())));
    admin.alterConsumerGroupOffsets(group, ends).all().get();
  }

  private LmsSink startSink() {
    LmsSink sink = new LmsSink(config);
    sinks.add(sink);
    sink.start();
    return sink;
  }

  // ------------------------------------------------------------------ records

  private static String id(String table, long legacyId) {
    return LmsRecords.id(table, legacyId);
  }

  private static User user(long legacyId, String username, String email, long lsn) {
    return LmsRecords.user(legacyId, username, email, lsn);
  }

  private static Person person(long legacyId, long userLegacyId, String firstName, String gender, long lsn) {
    return Person.newBuilder()
        .setId(id("persons", legacyId))
        .setLegacyId(legacyId)
        .setUserId(id("users", userLegacyId))
        .setFirstName(firstName)
        .setLastName("Aliyev")
        .setMiddleName(null)
        .setBirthDate(null)
        .setGender(gender)
        .setNationalId(null)
        .setSourceLsn(lsn)
        .build();
  }

  private static OrganizationUnit org(long legacyId, Long parentLegacyId, long lsn) {
    return LmsRecords.org(legacyId, parentLegacyId, lsn);
  }

  @SuppressWarnings("unchecked")
  private static <V extends SpecificRecord> void send(Topic<String, V> topic, int partition, String key, V value)
      throws Exception {
    byte[] bytes = value == null ? null : topic.valueSerde().serializer().serialize(topic.name(), value);
    producer.send(new ProducerRecord<>(topic.name(), partition, key.getBytes(StandardCharsets.UTF_8), bytes)).get();
  }

  private static void sendUser(int partition, User u) throws Exception {
    send(LmsTopics.USERS, partition, u.getId(), u);
  }

  // ------------------------------------------------------------------ queries

  private long count(String sql) throws SQLException {
    try (Statement st = lms.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String text(String sql) throws SQLException {
    try (Statement st = lms.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private List<String> rows(String sql) throws SQLException {
    return SqlRows.rows(lms, sql);
  }

  // ------------------------------------------------------------------ tests

  @Test
  void childrenDeliveredBeforeTheirParentsAcrossTopicsAndPartitionsEndCorrect() throws Exception {
    freshLms(defaults());
    LmsSink sink = startSink();
    // Children first, on other partitions than their parents.
    send(LmsTopics.PERSONS, 0, id("persons", 11), person(11, 1, "Aysel", "female", 110));
    send(LmsTopics.PERSONS, 1, id("persons", 12), person(12, 2, "Murad", "male", 120));
    send(LmsTopics.ORGANIZATION_UNITS, 2, id("organizations", 21), org(21, 20L, 210));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.parked") == 3);
    assertThat(rows("SELECT lms_table, reason, source_table, source_id FROM edu2lms.parked ORDER BY lms_table, source_id"))
        .containsExactly(
            "organization_units|missing_parent:organizations|organizations|21",
            "persons|missing_parent:users|persons|11",
            "persons|missing_parent:users|persons|12");
    assertThat(count("SELECT count(*) FROM persons")).isZero();

    sendUser(2, user(1, "aysel", "aysel@example.az", 100));
    sendUser(0, user(2, "murad", "murad@example.az", 101));
    send(LmsTopics.ORGANIZATION_UNITS, 1, id("organizations", 20), org(20, null, 200));

    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.parked") == 0);
    assertThat(rows("SELECT p.legacy_id, p.first_name, p.gender, u.username, p.source_lsn FROM persons p JOIN users u ON u.id = p.user_id ORDER BY 1"))
        .containsExactly("11|Aysel|female|aysel|110", "12|Murad|male|murad|120");
    assertThat(rows("SELECT o.legacy_id, p.legacy_id, o.name->>'az' FROM organization_units o LEFT JOIN organization_units p ON p.id = o.parent_id ORDER BY 1"))
        .containsExactly("20|null|Fakültə 20", "21|20|Fakültə 21");
    assertThat(count("SELECT count(*) FROM edu2lms.quarantine")).isZero();
    assertThat(sink.failure()).isNull();
  }

  @Test
  void aParentAndItsChildrenOfTheSameTableInOneBatchAllLand() throws Exception {
    freshLms(defaults());
    // Produced before the sink starts, so one poll takes them all: three levels of one table.
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 42), org(42, 41L, 420));
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 40), org(40, null, 400));
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 41), org(41, 40L, 410));
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 43), org(43, 40L, 430));
    LmsSink sink = startSink();
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM organization_units") == 4);
    assertThat(rows("SELECT o.legacy_id, p.legacy_id FROM organization_units o LEFT JOIN organization_units p ON p.id = o.parent_id ORDER BY 1"))
        .containsExactly("40|null", "41|40", "42|41", "43|40");
    assertThat(count("SELECT count(*) FROM edu2lms.parked")).isZero();
    assertThat(sink.batches()).isEqualTo(1);
  }

  @Test
  void organizationUnitsThatAreEachOthersParentLandTogetherInOneBatchOrAcrossBatches() throws Exception {
    freshLms(defaults());
    // One poll: 50 ↔ 51 (a cycle), and 52 → 53 where 53 never comes (a chain, stays parked).
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 50), org(50, 51L, 500));
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 51), org(51, 50L, 510));
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 52), org(52, 53L, 520));
    LmsSink sink = startSink();
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM organization_units") == 2);
    assertThat(sink.batches()).isEqualTo(1);
    // Separate batches: 60 → 61 parked, then 61 → 60 parked; the retry lands both.
    send(LmsTopics.ORGANIZATION_UNITS, 1, id("organizations", 60), org(60, 61L, 600));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.parked") == 2);
    send(LmsTopics.ORGANIZATION_UNITS, 2, id("organizations", 61), org(61, 60L, 610));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM organization_units") == 4);
    assertThat(rows("SELECT o.legacy_id, p.legacy_id FROM organization_units o JOIN organization_units p ON p.id = o.parent_id ORDER BY 1"))
        .containsExactly("50|51", "51|50", "60|61", "61|60");
    assertThat(rows("SELECT source_id, waiting_table FROM edu2lms.parked")).containsExactly("52|organization_units");
    assertThat(sink.failure()).isNull();
  }

  @Test
  void aRowReDerivedAtTheSamePositionWithAParentNotYetLandedIsParkedNotDropped() throws Exception {
    freshLms(defaults());
    LmsSink sink = startSink();
    // EDU: 12 inserted pointing at 20, which does not exist yet: the soft reference maps to NULL.
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 12), org(12, null, 1200));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM organization_units") == 1);
    // 20 is inserted; the transform re-derives 12 at its own LSN, and the sink reads it before 20.
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 12), org(12, 20L, 1200));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.parked") == 1);
    assertThat(rows("SELECT source_id, waiting_table FROM edu2lms.parked")).containsExactly("12|organization_units");
    send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 20), org(20, null, 2000));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.parked") == 0);
    assertThat(rows("SELECT o.legacy_id, p.legacy_id, o.source_lsn FROM organization_units o LEFT JOIN organization_units p ON p.id = o.parent_id ORDER BY 1"))
        .containsExactly("12|20|1200", "20|null|2000");
    assertThat(sink.failure()).isNull();
  }

  @Test
  void aParentTombstoneSeenAfterItsChildsNewerValueNeitherCascadesNorLosesTheChild() throws Exception {
    freshLms(defaults());
    LmsSink sink = startSink();
    sendUser(0, user(7, "leyla", "leyla@example.az", 700));
    send(LmsTopics.PERSONS, 1, id("persons", 71), person(71, 7, "Leyla", "female", 710));
    sendUser(0, user(8, "kamal", "kamal@example.az", 800));
    send(LmsTopics.PERSONS, 1, id("persons", 81), person(81, 8, "Kamal", "male", 810));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM persons") == 2);
    // EDU: user 7 deleted and inserted again; the transform sends the person's new value, the
    // user's tombstone and the user's new value, and the sink reads the persons topic first.
    send(LmsTopics.PERSONS, 1, id("persons", 71), person(71, 7, "Leyla2", "female", 711));
    await().atMost(Duration.ofSeconds(60)).until(() -> "Leyla2".equals(text("SELECT first_name FROM persons WHERE legacy_id = 71")));
    send(LmsTopics.USERS, 0, id("users", 7), null);
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.pending_deletes") == 1);
    assertThat(rows("SELECT legacy_id, first_name FROM persons ORDER BY 1")).containsExactly("71|Leyla2", "81|Kamal");
    sendUser(0, user(7, "leyla", "leyla@example.az", 720));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.pending_deletes") == 0);
    assertThat(rows("SELECT p.legacy_id, p.first_name, u.source_lsn FROM persons p JOIN users u ON u.id = p.user_id ORDER BY 1"))
        .containsExactly("71|Leyla2|720", "81|Kamal|800");
    // User 8 really goes: its tombstone waits for the person's own tombstone, then applies.
    send(LmsTopics.USERS, 0, id("users", 8), null);
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.pending_deletes") == 1);
    send(LmsTopics.PERSONS, 1, id("persons", 81), null);
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users WHERE legacy_id = 8") == 0);
    assertThat(count("SELECT count(*) FROM edu2lms.pending_deletes")).isZero();
    assertThat(rows("SELECT legacy_id FROM persons")).containsExactly("71");
    assertThat(sink.failure()).isNull();
  }

  @Test
  void duplicatesAndAReplayOfOlderRecordsChangeNothing() throws Exception {
    freshLms(defaults());
    LmsSink sink = startSink();
    User v1 = user(3, "old-name", "x@example.az", 300);
    User v2 = user(3, "new-name", "y@example.az", 301);
    sendUser(0, v1);
    sendUser(0, v2);
    sendUser(0, v2); // redelivery
    await().atMost(Duration.ofSeconds(60)).until(() -> "new-name".equals(text("SELECT username FROM users WHERE legacy_id = 3")));
    // A replay from the beginning: the older value arrives after the newer one, alone in its batch.
    sendUser(0, v1);
    sendUser(0, user(4, "marker", null, 400));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users WHERE legacy_id = 4") == 1);
    assertThat(rows("SELECT username, email, source_lsn, registered_at = '2019-09-01T08:30:00.123456Z' FROM users WHERE legacy_id = 3"))
        .containsExactly("new-name|y@example.az|301|t");
    assertThat(count("SELECT count(*) FROM users")).isEqualTo(2);
    // The same values at the same position once more (a redelivery, or a re-derivation that changed
    // nothing): the row is not written again, so its version and updated_at stay.
    String version = text("SELECT xmin::text || '/' || updated_at::text FROM users WHERE legacy_id = 3");
    sendUser(0, v2);
    sendUser(0, user(5, "second-marker", null, 500));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users WHERE legacy_id = 5") == 1);
    assertThat(text("SELECT xmin::text || '/' || updated_at::text FROM users WHERE legacy_id = 3")).isEqualTo(version);
    // The same position with other values (a parent changed what the row is derived to) is written.
    sendUser(0, user(3, "re-derived", "y@example.az", 301));
    await().atMost(Duration.ofSeconds(60)).until(() -> "re-derived".equals(text("SELECT username FROM users WHERE legacy_id = 3")));
    assertThat(count("SELECT count(*) FROM edu2lms.parked")).isZero();
    assertThat(sink.failure()).isNull();
  }

  @Test
  void aParentTombstoneWaitsForItsChildrenAndALateChildOfADeletedParentIsParkedThenQuarantinedThenLands() throws Exception {
    freshLms(defaults().withParking(Duration.ofSeconds(2), Duration.ofMillis(300)));
    LmsSink sink = startSink();
    sendUser(0, user(5, "leyla", null, 500));
    send(LmsTopics.PERSONS, 1, id("persons", 51), person(51, 5, "Leyla", "female", 510));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM persons") == 1);

    // The parent's tombstone waits while the person references it; the person's own tombstone
    // (which the transform sends when its user goes) removes it, then the user goes too.
    send(LmsTopics.USERS, 0, id("users", 5), null);
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.pending_deletes") == 1);
    assertThat(count("SELECT count(*) FROM users")).as("not cascaded while referenced").isEqualTo(1);
    send(LmsTopics.PERSONS, 1, id("persons", 51), null);
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users") == 0);
    assertThat(count("SELECT count(*) FROM persons")).isZero();
    assertThat(count("SELECT count(*) FROM edu2lms.pending_deletes")).isZero();

    // A late update of the child: it must not be written as an orphan.
    send(LmsTopics.PERSONS, 1, id("persons", 51), person(51, 5, "Leyla B.", "female", 520));
    await().atMost(Duration.ofSeconds(60))
        .until(() -> count("SELECT count(*) FROM edu2lms.quarantine WHERE origin = 'sink'") == 1);
    assertThat(rows("SELECT source_table, source_id, component, reason, source_lsn FROM edu2lms.quarantine"))
        .containsExactly("persons|51|0|missing_parent:users|520");
    assertThat(text("SELECT detail FROM edu2lms.quarantine")).contains("persons.user_id = " + id("users", 5));
    assertThat(count("SELECT count(*) FROM persons")).isZero();

    // The parent comes back: the parked row lands and its quarantine entry goes, in one transaction.
    sendUser(2, user(5, "leyla", null, 530));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM persons") == 1);
    assertThat(count("SELECT count(*) FROM edu2lms.quarantine")).isZero();
    assertThat(count("SELECT count(*) FROM edu2lms.parked")).isZero();
    assertThat(text("SELECT first_name FROM persons")).isEqualTo("Leyla B.");
    assertThat(sink.failure()).isNull();
  }

  @Test
  void aTransformTombstoneDoesNotReleaseTheSinksOwnQuarantineEntry() throws Exception {
    freshLms(defaults().withParking(Duration.ofSeconds(1), Duration.ofMillis(300)));
    startSink();
    send(LmsTopics.PERSONS, 0, id("persons", 61), person(61, 6, "Orxan", "male", 610));
    await().atMost(Duration.ofSeconds(60))
        .until(() -> count("SELECT count(*) FROM edu2lms.quarantine WHERE origin = 'sink'") == 1);
    // The transform emits a quarantine tombstone with every accepted row.
    producer.send(new ProducerRecord<>(LmsTopics.QUARANTINE.name(), 0, "persons:61:0".getBytes(StandardCharsets.UTF_8), null)).get();
    sendUser(1, user(7, "marker", null, 700));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users") == 1);
    assertThat(rows("SELECT source_table, source_id, reason, origin FROM edu2lms.quarantine"))
        .containsExactly("persons|61|missing_parent:users|sink");
  }

  @Test
  void aUniqueValueMovingBetweenRowsIsParkedUntilItsHolderLetsGo() throws Exception {
    freshLms(defaults().withStageMethod(StageMethod.INSERT));
    LmsSink sink = startSink();
    sendUser(0, user(8, "anar", "a@example.az", 800));
    sendUser(1, user(9, "nigar", "b@example.az", 900));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users") == 2);
    // The swap: 9 takes 8's address before 8 lets it go.
    sendUser(1, user(9, "nigar", "a@example.az", 901));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.parked") == 1);
    assertThat(rows("SELECT lms_table, reason, source_id FROM edu2lms.parked")).containsExactly("users|conflict:users_email_key|9");
    sendUser(0, user(8, "anar", "b@example.az", 902));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.parked") == 0);
    assertThat(rows("SELECT legacy_id, email FROM users ORDER BY 1")).containsExactly("8|b@example.az", "9|a@example.az");
    // Swapped back: each wants the value the other holds, so neither can be written first.
    sendUser(0, user(8, "anar", "a@example.az", 903));
    sendUser(1, user(9, "nigar", "b@example.az", 904));
    sendUser(2, user(15, "ilkin", "c@example.az", 1500));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users") == 3);
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.parked") == 0);
    assertThat(rows("SELECT legacy_id, email, source_lsn FROM users ORDER BY 1"))
        .containsExactly("8|a@example.az|903", "9|b@example.az|904", "15|c@example.az|1500");
    assertThat(sink.failure()).isNull();
  }

  @Test
  void stagingByCopyAndByInsertWriteTheSameValues() throws Exception {
    User odd =
        User.newBuilder(user(10, "quote\"comma,new\nline\\back ğüşıöç 漢字", "", 1000))
            .setPasswordHash("")
            .setLegacyEmail(null)
            .setRegisteredAt(Instant.parse("1999-12-31T23:59:59.999999Z"))
            .build();
    List<List<String>> results = new ArrayList<>();
    for (StageMethod method : StageMethod.values()) {
      freshLms(defaults().withStageMethod(method));
      startSink();
      sendUser(0, odd);
      send(LmsTopics.ORGANIZATION_UNITS, 0, id("organizations", 30), org(30, null, 3000));
      await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users") + count("SELECT count(*) FROM organization_units") == 2);
      results.add(
          rows(
              "SELECT username, email IS NULL, email, legacy_email IS NULL, password_hash, registered_at AT TIME ZONE 'UTC',"
                  + " is_active FROM users UNION ALL SELECT name::text, code IS NULL, code, parent_id IS NULL, unit_type,"
                  + " NULL, is_active FROM organization_units"));
      stopSinks();
      sinks.clear();
      lms = null;
    }
    assertThat(results.get(0))
        .containsExactly(
            "quote\"comma,new\nline\\back ğüşıöç 漢字|f||t||1999-12-31 23:59:59.999999|t",
            "{\"az\": \"Fakültə 30\"}|f|F30|t|faculty|null|t");
    assertThat(results.get(1)).isEqualTo(results.get(0));
  }

  @Test
  void aRowTheLmsRejectsIsQuarantinedAsAMappingErrorAndTheRestFlows() throws Exception {
    freshLms(defaults());
    LmsSink sink = startSink();
    sendUser(0, user(12, "rashad", null, 1200));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users") == 1);
    long deadBefore = deadLetterRecords().size();
    send(LmsTopics.PERSONS, 0, id("persons", 121), person(121, 12, "Rashad", "x", 1210)); // CHECK (gender IN …)
    send(LmsTopics.PERSONS, 0, id("persons", 122), person(122, 12, "Rashad II", "male", 1220));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM persons") == 1);
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM edu2lms.quarantine") == 1);
    assertThat(rows("SELECT source_table, source_id, reason, origin FROM edu2lms.quarantine"))
        .containsExactly("persons|121|mapping_error|sink");
    assertThat(text("SELECT detail FROM edu2lms.quarantine")).contains("persons_gender_check");
    assertThat(text("SELECT first_name FROM persons")).isEqualTo("Rashad II");
    await().atMost(Duration.ofSeconds(30)).until(() -> deadLetterRecords().size() == deadBefore + 1);
    ConsumerRecord<byte[], byte[]> dead = deadLetterRecords().get((int) deadBefore);
    assertThat(header(dead, "error.class")).isEqualTo("LmsRejected");
    assertThat(header(dead, "source.topic")).isEqualTo("lms.persons");
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo(id("persons", 121));
    assertThat(sink.failure()).isNull();
  }

  @Test
  void garbageInAnLmsTopicGoesToTheDeadLetterTopicAndTheRestFlows() throws Exception {
    freshLms(defaults());
    LmsSink sink = startSink();
    long deadBefore = deadLetterRecords().size();
    byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
    var bad = producer.send(new ProducerRecord<>(LmsTopics.USERS.name(), 1, id("users", 13).getBytes(StandardCharsets.UTF_8), garbage)).get();
    producer.send(new ProducerRecord<>(LmsTopics.PERSONS.name(), 1, "no-uuid".getBytes(StandardCharsets.UTF_8), garbage)).get();
    producer.send(new ProducerRecord<>(LmsTopics.QUARANTINE.name(), 1, "bad key".getBytes(StandardCharsets.UTF_8), null)).get();
    sendUser(1, user(14, "after-garbage", null, 1400));
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users") == 1);
    assertThat(text("SELECT username FROM users")).isEqualTo("after-garbage");
    assertThat(sink.deadLetters()).isEqualTo(3);
    List<ConsumerRecord<byte[], byte[]>> dead = deadLetterRecords().subList((int) deadBefore, (int) deadBefore + 3);
    Map<String, ConsumerRecord<byte[], byte[]>> byTopic =
        dead.stream().collect(Collectors.toMap(r -> header(r, "source.topic"), r -> r));
    assertThat(byTopic.keySet()).containsExactlyInAnyOrder("lms.users", "lms.persons", "edu2lms.quarantine");
    ConsumerRecord<byte[], byte[]> users = byTopic.get("lms.users");
    assertThat(users.value()).isEqualTo(garbage);
    assertThat(header(users, "source.partition")).isEqualTo("1");
    assertThat(header(users, "source.offset")).isEqualTo(Long.toString(bad.offset()));
    assertThat(header(users, "error.class")).isNotBlank();
    assertThat(header(byTopic.get("lms.persons"), "error.message")).contains("no-uuid");
    assertThat(sink.failure()).isNull();
  }

  @Test
  void theSinksConnectionKilledBetweenStatementsEndsCorrectAfterRetryAndAfterARestart() throws Exception {
    freshLms(defaults().withMaxPollRecords(2_000));
    LmsSink sink = startSink();
    int n = 30_000;
    for (int i = 0; i < n; i++) {
      producer.send(userRecord(1_000_000 + i, i % PARTITIONS, 10_000 + i));
    }
    producer.flush();
    // Kill the sink's backend until a batch has failed on it and been retried.
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
      // Between two statements, inside a batch's transaction or between batches.
      count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'edu2lms-sink'"
          + " AND datname = current_database() AND state IN ('idle in transaction', 'idle')");
      return sink.retries() > 0;
    });
    sink.close();
    long landed = count("SELECT count(*) FROM users");
    // A new sink in the same group goes on from the committed offsets.
    LmsSink second = startSink();
    await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM users") == n);
    assertThat(landed).isLessThanOrEqualTo(n);
    assertThat(count("SELECT count(DISTINCT username) FROM users WHERE username = 'u' || (legacy_id - 1000000)")).isEqualTo(n);
    assertThat(sink.failure()).isNull();
    assertThat(second.failure()).isNull();
  }

  @Test
  void lmsRestartedDuringALoadEndsCorrect() throws Exception {
    freshLms(defaults().withMaxPollRecords(2_000));
    LmsSink sink = startSink();
    int n = 40_000;
    for (int i = 0; i < n; i++) {
      producer.send(userRecord(2_000_000 + i, i % PARTITIONS, 20_000 + i));
    }
    producer.flush();
    await().atMost(Duration.ofSeconds(60)).until(() -> sink.rowsUpserted() > 0);
    lms.close();
    pg.stop();
    await().atMost(Duration.ofSeconds(60)).until(() -> sink.retries() > 0);
    pg.restart();
    lms = DriverManager.getConnection(config.lmsJdbcUrl(), EmbeddedPostgresServer.USER, "");
    await().atMost(Duration.ofSeconds(180)).until(() -> count("SELECT count(*) FROM users") == n);
    assertThat(count("SELECT min(legacy_id) FROM users")).isEqualTo(2_000_000);
    assertThat(count("SELECT max(legacy_id) FROM users")).isEqualTo(2_000_000 + n - 1);
    assertThat(sink.failure()).isNull();
  }

  private static double counter(LmsSink sink, String name) {
    var c = sink.registry().find(name).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void bigWritesAreSharedByTwoConnectionsParentsFirstAndLandValueByValue() throws Exception {
    freshLms(defaults().withMaxPollRecords(100_000).withUpsertConnections(2));
    int n = 9_000;
    // Produced before the sink starts, so its polls hold thousands of users and of their persons.
    for (int i = 0; i < n; i++) {
      producer.send(userRecord(3_000_000 + i, i % PARTITIONS, 30_000 + i));
    }
    for (int i = 0; i < n; i++) {
      Person p = person(3_000_000 + i, 3_000_000 + i, "P" + i, i % 2 == 0 ? "female" : "male", 40_000 + i);
      producer.send(record(LmsTopics.PERSONS, i % PARTITIONS, p.getId(), p));
    }
    producer.flush();
    LmsSink sink = startSink();
    await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM persons") == n);
    // Every person joined to its own user: the helper saw the users the batch wrote before.
    assertThat(count("SELECT count(*) FROM persons p JOIN users u ON u.id = p.user_id"
        + " WHERE u.legacy_id = p.legacy_id AND p.first_name = 'P' || (p.legacy_id - 3000000)"
        + " AND p.source_lsn = 40000 + (p.legacy_id - 3000000) AND u.username = 'u' || (u.legacy_id - 3000000)"))
        .isEqualTo(n);
    assertThat(rows("SELECT p.legacy_id, p.first_name, p.gender, u.username, u.source_lsn FROM persons p JOIN users u ON u.id = p.user_id"
        + " WHERE p.legacy_id IN (3000000, 3000001, 3008999) ORDER BY 1"))
        .containsExactly("3000000|P0|female|u0|30000", "3000001|P1|male|u1|30001", "3008999|P8999|male|u8999|38999");
    assertThat(count("SELECT count(*) FROM edu2lms.parked")).isZero();
    assertThat(counter(sink, "edu2lms.sink.upsert.parts")).isGreaterThanOrEqualTo(1);
    assertThat(counter(sink, "edu2lms.sink.upsert.part.fallbacks")).isZero();
    assertThat(sink.rowsUpserted()).isEqualTo(2L * n);
    assertThat(sink.failure()).isNull();
  }

  @Test
  void aPartTheHelperConnectionCannotLockIsWrittenOnTheMainConnectionInstead() throws Exception {
    freshLms(defaults().withMaxPollRecords(100_000).withUpsertConnections(2));
    // 2,000 per partition: any poll holding one whole partition is a big write.
    int n = 6_000;
    for (int i = 0; i < n; i++) {
      producer.send(userRecord(4_000_000 + i, i % PARTITIONS, 50_000 + i));
    }
    producer.flush();
    LmsSink first = startSink();
    await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM users") == n);
    first.close();
    // A user of the helper's part (ids split by hash into 2 parts) is locked by another transaction.
    String locked = null;
    for (int i = 0; locked == null; i++) {
      String candidate = id("users", 4_000_000 + i);
      if (Math.floorMod(candidate.hashCode(), 2) == 1) {
        locked = candidate;
      }
    }
    try (Connection other = DriverManager.getConnection(config.lmsJdbcUrl(), EmbeddedPostgresServer.USER, "")) {
      other.setAutoCommit(false);
      try (Statement st = other.createStatement()) {
        st.executeQuery("SELECT 1 FROM users WHERE id = '" + locked + "' FOR UPDATE").close();
      }
      // The same users again, renamed, at newer positions: one big write.
      for (int i = 0; i < n; i++) {
        long legacyId = 4_000_000 + i;
        User u = user(legacyId, "renamed" + i, null, 60_000 + i);
        producer.send(record(LmsTopics.USERS, i % PARTITIONS, u.getId(), u));
      }
      producer.flush();
      // A sink started now finds them all in the topics: its polls are big writes.
      LmsSink sink = startSink();
      // The helper gives up after its lock timeout; its part goes to the main connection, which
      // then waits for the lock like any writer.
      await().atMost(Duration.ofSeconds(60)).until(() -> counter(sink, "edu2lms.sink.upsert.part.fallbacks") >= 1);
      other.commit();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM users WHERE username LIKE 'renamed%'") == n);
    assertThat(count("SELECT count(*) FROM users WHERE username = 'renamed' || (legacy_id - 4000000) AND source_lsn = 60000 + (legacy_id - 4000000)"))
        .isEqualTo(n);
    assertThat(text("SELECT username FROM users WHERE id = '" + locked + "'")).startsWith("renamed");
    assertThat(count("SELECT count(*) FROM edu2lms.parked")).isZero();
    assertThat(count("SELECT count(*) FROM edu2lms.quarantine")).isZero();
    assertThat(sinks.get(1).failure()).isNull();
  }

  @Test
  void anUnknownLoginOrAnUnmigratedDatabaseStopsTheSinkWithTheKeyNamed() throws Exception {
    freshLms(defaults());
    config = new SinkConfig(config.lmsJdbcUrl(), "no_such_role", "secret", kafka.bootstrapServers(), config.groupId());
    LmsSink wrongLogin = startSink();
    await().atMost(Duration.ofSeconds(60)).until(() -> wrongLogin.failure() != null);
    assertThat(wrongLogin.failure().getMessage())
        .contains("LMS refused the login of sink.lms.user 'no_such_role'")
        .contains("sink.lms.password")
        .doesNotContain("secret");

    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), EmbeddedPostgresServer.USER, "");
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE lms_it_empty");
    }
    config = defaults().withLmsJdbcUrl(pg.jdbcUrl("lms_it_empty")).withGroupId("sink-it-empty");
    LmsSink unmigrated = startSink();
    await().atMost(Duration.ofSeconds(60)).until(() -> unmigrated.failure() != null);
    assertThat(unmigrated.failure().getMessage())
        .contains("the LMS schema does not match what the sink writes")
        .contains("table public.users")
        .contains("sink.lms.url");
  }

  @Test
  void lmsConstraintsStayOnNoTriggerOrReplicationRoleTrickAndEveryForeignKeyOfLmsMdExists() throws Exception {
    freshLms(defaults());
    assertThat(count("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname IN ('public', 'edu2lms')"))
        .as("user triggers").isZero();
    assertThat(count("SELECT count(*) FROM pg_db_role_setting WHERE array_to_string(setconfig, ',') LIKE '%session_replication_role%'"))
        .as("session_replication_role set per database or role").isZero();
    assertThat(text("SHOW session_replication_role")).isEqualTo("origin");
    Set<String> declared = LmsCatalog.TABLES.stream()
        .flatMap(t -> t.references().stream().map(r -> fk(t.name(), r)))
        .collect(Collectors.toSet());
    List<String> actual =
        rows("SELECT c.conrelid::regclass || '.' || a.attname || ' -> ' || c.confrelid::regclass || ' ON DELETE '"
            + " || CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' ELSE c.confdeltype::text END"
            + " || CASE WHEN c.convalidated AND NOT c.condeferrable THEN '' ELSE ' (not enforced)' END"
            + " FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            + " WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace");
    assertThat(actual).containsExactlyInAnyOrderElementsOf(declared);
    assertThat(declared).contains(
        "persons.user_id -> users ON DELETE CASCADE",
        "grades.enrollment_id -> course_enrollments ON DELETE CASCADE",
        "file_uploads.uploaded_by -> users ON DELETE SET NULL");
  }

  private static String fk(String table, Reference r) {
    return table + "." + r.column() + " -> " + r.parent() + " ON DELETE " + (r.hard() ? "CASCADE" : "SET NULL");
  }

  // ------------------------------------------------------------------ helpers

  private static ProducerRecord<byte[], byte[]> userRecord(long legacyId, int partition, long lsn) {
    User u = user(legacyId, "u" + (legacyId % 1_000_000), null, lsn);
    return record(LmsTopics.USERS, partition, u.getId(), u);
  }

  /** A record of an lms.* topic, its value serialized as the transform writes it. */
  private static <V extends SpecificRecord> ProducerRecord<byte[], byte[]> record(Topic<String, V> topic, int partition, String key, V value) {
    return new ProducerRecord<>(
        topic.name(), partition, key.getBytes(StandardCharsets.UTF_8), topic.valueSerde().serializer().serialize(topic.name(), value));
  }

  private static List<ConsumerRecord<byte[], byte[]>> deadLetterRecords() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(LmsTopics.DEAD_LETTER, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      while (c.position(tp) < end) {
        c.poll(Duration.ofMillis(500)).forEach(out::add);
      }
      return out;
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(LmsTopics.DLT_HEADER_PREFIX + name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
