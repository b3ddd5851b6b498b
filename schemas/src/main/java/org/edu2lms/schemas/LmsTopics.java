package org.edu2lms.schemas;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.edu2lms.schemas.lms.OrganizationUnit;
import org.edu2lms.schemas.lms.Person;
import org.edu2lms.schemas.lms.QuarantineRecord;
import org.edu2lms.schemas.lms.User;

/**
 * The output topics of the transform (architecture.md): {@code lms.<table>} carries, per LMS row,
 * its latest value (Avro single-object encoding) or a tombstone, keyed by the row's UUID string;
 * {@code edu2lms.quarantine} carries, per quarantined EDU row, why it is not in LMS, keyed by
 * {@link #quarantineKey}. All are compacted: the topics are the desired LMS state.
 */
public final class LmsTopics {

  /** lms.users, key = UUID of {@code users:<id>}. */
  public static final Topic<String, User> USERS =
      new Topic<>("lms.users", Serdes.String(), new AvroSerde<>(User.class, User.getEncoder(), User.getDecoder()));

  /** lms.persons, key = UUID of {@code persons:<id>}. */
  public static final Topic<String, Person> PERSONS =
      new Topic<>(
          "lms.persons", Serdes.String(), new AvroSerde<>(Person.class, Person.getEncoder(), Person.getDecoder()));

  /** lms.organization_units, key = UUID of {@code organizations:<id>}. */
  public static final Topic<String, OrganizationUnit> ORGANIZATION_UNITS =
      new Topic<>(
          "lms.organization_units",
          Serdes.String(),
          new AvroSerde<>(OrganizationUnit.class, OrganizationUnit.getEncoder(), OrganizationUnit.getDecoder()));

  /** edu2lms.quarantine, key = {@code <source_table>:<source_id>:<component>}. */
  public static final Topic<String, QuarantineRecord> QUARANTINE =
      new Topic<>(
          "edu2lms.quarantine",
          Serdes.String(),
          new AvroSerde<>(QuarantineRecord.class, QuarantineRecord.getEncoder(), QuarantineRecord.getDecoder()));

  /** Every output topic, parents before children (the order the sink applies upserts in). */
  public static final List<Topic<String, ?>> ALL = List.of(USERS, PERSONS, ORGANIZATION_UNITS, QUARANTINE);

  private LmsTopics() {}

  /**
   * The key of a quarantine record: {@code <source_table>:<source_id>:<component>}.
   *
   * @param component 1..3 for a journal_details mark, else 0 (lms.md §edu2lms.quarantine)
   */
  public static String quarantineKey(String sourceTable, long sourceId, int component) {
    return sourceTable + ":" + sourceId + ":" + component;
  }
}
