package org.edu2lms.transform;

import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.state.KeyValueStore;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.Topic;
import org.edu2lms.schemas.lms.QuarantineRecord;
import org.edu2lms.transform.mapping.Labels;
import org.edu2lms.transform.mapping.MappingResult;
import org.edu2lms.transform.mapping.OrganizationMapping;
import org.edu2lms.transform.mapping.PersonMapping;
import org.edu2lms.transform.mapping.Rows;
import org.edu2lms.transform.mapping.UserMapping;
import org.edu2lms.transform.serde.EduKeySerde;
import org.edu2lms.transform.serde.EduRow;
import org.edu2lms.transform.serde.EduRowSerde;
import org.edu2lms.transform.serde.LongSetSerde;
import org.edu2lms.transform.serde.LongSet;

/**
 * The Kafka Streams topology from the EDU change streams to the desired LMS state
 * (architecture.md): every EDU table is read as a KTable keyed by its id, so a late parent
 * re-triggers its children (foreign-key table–table joins), and every LMS row is emitted as its
 * latest value or a tombstone on {@code lms.<table>}, with the matching quarantine record (or its
 * tombstone) on {@code edu2lms.quarantine}.
 *
 * <p>Covered so far: users (with the e-mail ownership rule), persons, organization_units (with
 * the dictionaries name join and the soft parent reference). The other LMS tables of mapping.md
 * are not produced yet.
 */
public final class EduToLmsTopology {

  /** The EDU tables this topology reads. */
  public static final java.util.List<String> INPUT_TABLES = java.util.List.of("dictionaries", "users", "persons", "organizations");

  /** The LMS tables this topology produces (accounting lines of mapping.md it can balance). */
  public static final java.util.List<String> OUTPUT_TABLES = java.util.List.of("users", "persons", "organization_units");

  private static final EduKeySerde KEY = new EduKeySerde();
  private static final EduRowSerde ROW = new EduRowSerde();

  private EduToLmsTopology() {}

  /** Builds the topology; pure: no I/O, no configuration beyond the topic names. */
  public static Topology buildTopology() {
    StreamsBuilder builder = new StreamsBuilder();
    KTable<Long, EduRow> dictionaries = table(builder, "dictionaries");
    KTable<Long, EduRow> users = table(builder, "users");
    KTable<Long, EduRow> persons = table(builder, "persons");
    KTable<Long, EduRow> organizations = table(builder, "organizations");

    // users: among non-quarantined users sharing a valid normalized e-mail, the lowest id keeps it.
    KTable<String, LongSet> emailOwners =
        users
            .filter((id, u) -> UserMapping.ownershipEmail(u.row()) != null, Named.as("users-with-valid-email"))
            .groupBy(
                (id, u) -> KeyValue.pair(UserMapping.ownershipEmail(u.row()), id),
                Grouped.with("users-by-email", Serdes.String(), Serdes.Long()))
            .aggregate(
                LongSet::empty,
                (email, id, set) -> set.plus(id),
                (email, id, set) -> set.minus(id),
                Materialized.<String, LongSet, KeyValueStore<Bytes, byte[]>>as("email-owners")
                    .withKeySerde(Serdes.String())
                    .withValueSerde(new LongSetSerde()));
    KTable<Long, MappingResult<org.edu2lms.schemas.lms.User>> userResults =
        users.leftJoin(
            emailOwners,
            (EduRow u) -> UserMapping.ownershipEmail(u.row()),
            (u, owners) -> guarded(() -> UserMapping.map(u, owners == null ? null : owners.min()), u.lsn()),
            TableJoined.as("users-email-owner"));
    emit(userResults, LmsTopics.USERS, "users");

    // persons: hard reference to a non-quarantined user.
    KTable<Long, EduRow> mappableUsers =
        users.filter((id, u) -> UserMapping.isMappable(u.row()), Named.as("mappable-users"));
    KTable<Long, MappingResult<org.edu2lms.schemas.lms.Person>> personResults =
        persons.leftJoin(
            mappableUsers,
            (EduRow p) -> Rows.longValue(p.row(), "user_id"),
            (p, u) -> guarded(() -> PersonMapping.map(p, u), p.lsn()),
            TableJoined.as("persons-user"));
    emit(personResults, LmsTopics.PERSONS, "persons");

    // organization_units: name ← dictionaries (NOT NULL), parent soft.
    KTable<Long, EduRow> namedOrganizations =
        organizations.leftJoin(
            dictionaries,
            (EduRow o) -> Rows.longValue(o.row(), "dic_id"),
            (o, d) ->
                d == null
                    ? o.with(OrganizationMapping.NAME, null, 0)
                    : o.with(OrganizationMapping.NAME, ROW_TEXT(Labels.fromDictionary(d.row())), d.lsn()),
            TableJoined.as("organizations-name"),
            Materialized.<Long, EduRow, KeyValueStore<Bytes, byte[]>>as("organizations-named")
                .withKeySerde(KEY)
                .withValueSerde(ROW));
    KTable<Long, EduRow> mappableOrganizations =
        namedOrganizations.filter((id, o) -> OrganizationMapping.isMappable(o), Named.as("mappable-organizations"));
    KTable<Long, MappingResult<org.edu2lms.schemas.lms.OrganizationUnit>> organizationResults =
        namedOrganizations.leftJoin(
            mappableOrganizations,
            (EduRow o) -> OrganizationMapping.parentId(o.row()),
            (o, parent) -> guarded(() -> OrganizationMapping.map(o, parent), o.lsn()),
            TableJoined.as("organizations-parent"));
    emit(organizationResults, LmsTopics.ORGANIZATION_UNITS, "organizations");

    return builder.build();
  }

  /**
   * Kafka Streams settings: exactly_once_v2, one stream thread (2-core target), the given state
   * folder and commit interval.
   */
  public static Properties streamsConfig(TransformConfig config) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitIntervalMs()));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(32L * 1024 * 1024));
    p.put(StreamsConfig.producerPrefix("linger.ms"), "5");
    p.put(StreamsConfig.producerPrefix("compression.type"), "lz4");
    return p;
  }

  private static com.fasterxml.jackson.databind.JsonNode ROW_TEXT(String json) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(json);
  }

  private static KTable<Long, EduRow> table(StreamsBuilder builder, String eduTable) {
    return builder.table(
        EduTables.topic(eduTable),
        Consumed.with(KEY, ROW).withName("source-" + eduTable),
        Materialized.<Long, EduRow, KeyValueStore<Bytes, byte[]>>as("edu-" + eduTable)
            .withKeySerde(KEY)
            .withValueSerde(ROW));
  }

  /** Runs a mapping; any exception becomes a {@code mapping_error} quarantine result. */
  static <T> MappingResult<T> guarded(Supplier<MappingResult<T>> mapping, long lsn) {
    try {
      return mapping.get();
    } catch (RuntimeException e) {
      return MappingResult.mappingError(e, lsn);
    }
  }

  /**
   * Sends each result to the LMS topic (value or tombstone) and to the quarantine topic (record
   * or tombstone). A deleted EDU row (null result) tombstones both.
   */
  private static <T> void emit(KTable<Long, MappingResult<T>> results, Topic<String, T> topic, String eduTable) {
    KStream<Long, MappingResult<T>> changes = results.toStream(Named.as(eduTable + "-results"));
    changes
        .map(
            (id, r) -> KeyValue.pair(LegacyIds.forRow(eduTable, id).toString(), r != null && r.isOk() ? r.record() : null),
            Named.as(eduTable + "-to-lms"))
        .to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde()).withName("sink-" + topic.name()));
    changes
        .map(
            (id, r) ->
                KeyValue.pair(
                    LmsTopics.quarantineKey(eduTable, id, 0),
                    r != null && !r.isOk()
                        ? QuarantineRecord.newBuilder()
                            .setSourceTable(eduTable)
                            .setSourceId(id)
                            .setComponent(0)
                            .setReason(r.reason())
                            .setDetail(r.detail())
                            .setSourceLsn(r.sourceLsn())
                            .build()
                        : null),
            Named.as(eduTable + "-to-quarantine"))
        .to(
            LmsTopics.QUARANTINE.name(),
            Produced.with(LmsTopics.QUARANTINE.keySerde(), LmsTopics.QUARANTINE.valueSerde())
                .withName("sink-quarantine-" + eduTable));
  }
}
