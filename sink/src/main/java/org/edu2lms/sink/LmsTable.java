package org.edu2lms.sink;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.edu2lms.schemas.Topic;

/**
 * One LMS table as the sink writes it: its topic, its columns (named as the Avro fields of the
 * topic's records, lms.md) and its references to other LMS tables.
 *
 * @param name the LMS table name
 * @param topic the {@code lms.<table>} topic the desired rows arrive on
 * @param valueSchema the Avro schema of the topic's records
 * @param columns every written column, {@code id} first; {@code source_lsn} last
 * @param references the foreign keys of lms.md
 */
public record LmsTable(
    String name,
    Topic<String, ? extends SpecificRecord> topic,
    Schema valueSchema,
    List<Column> columns,
    List<Reference> references) {

  public LmsTable {
    Objects.requireNonNull(name);
    columns = List.copyOf(columns);
    references = List.copyOf(references);
    if (!columns.get(0).name().equals("id")) {
      throw new IllegalArgumentException(name + ": the first column must be id");
    }
  }

  /**
   * The reference of this table to itself (organization_units.parent_id), if it has one: rows of
   * one table can then wait for each other.
   */
  public Optional<Reference> selfReference() {
    return references.stream().filter(r -> r.parent().equals(name)).findFirst();
  }

  /**
   * A column and the PostgreSQL type its parameter is cast to.
   *
   * @param name the column (and Avro field) name
   * @param sqlType e.g. {@code uuid}, {@code text}, {@code jsonb}, {@code timestamptz}
   */
  public record Column(String name, String sqlType) {}

  /**
   * A foreign key of lms.md.
   *
   * @param column the referencing column
   * @param parent the referenced LMS table (by its {@code id})
   * @param hard true for a NOT NULL {@code ON DELETE CASCADE} reference, false for a nullable
   *     {@code ON DELETE SET NULL} one
   */
  public record Reference(String column, String parent, boolean hard) {}
}
