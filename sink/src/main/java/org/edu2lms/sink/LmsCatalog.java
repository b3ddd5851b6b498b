package org.edu2lms.sink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.lms.OrganizationUnit;
import org.edu2lms.schemas.lms.Person;
import org.edu2lms.schemas.lms.User;
import org.edu2lms.sink.LmsTable.Column;
import org.edu2lms.sink.LmsTable.Reference;

/**
 * The LMS tables the sink writes and their foreign keys (lms.md), declared once. The write order
 * is derived from the references (a topological sort), never hand-ordered: upserts parents first,
 * deletes children first.
 */
public final class LmsCatalog {

  private static final List<LmsTable> DECLARED =
      List.of(
          new LmsTable(
              "persons",
              LmsTopics.PERSONS,
              Person.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("user_id", "uuid"),
                  col("first_name", "text"),
                  col("last_name", "text"),
                  col("middle_name", "text"),
                  col("birth_date", "date"),
                  col("gender", "text"),
                  col("national_id", "text"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("user_id", "users", true))),
          new LmsTable(
              "organization_units",
              LmsTopics.ORGANIZATION_UNITS,
              OrganizationUnit.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("parent_id", "uuid"),
                  col("unit_type", "text"),
                  col("name", "jsonb"),
                  col("code", "text"),
                  col("is_active", "boolean"),
                  col("source_lsn", "bigint")),
              List.of(new Reference("parent_id", "organization_units", false))),
          new LmsTable(
              "users",
              LmsTopics.USERS,
              User.getClassSchema(),
              List.of(
                  col("id", "uuid"),
                  col("legacy_id", "bigint"),
                  col("username", "text"),
                  col("email", "text"),
                  col("legacy_email", "text"),
                  col("password_hash", "text"),
                  col("is_active", "boolean"),
                  col("registered_at", "timestamptz"),
                  col("source_lsn", "bigint")),
              List.of()));

  /** The tables in dependency order: every table after the tables it references. */
  public static final List<LmsTable> TABLES = topologicalOrder(DECLARED);

  private LmsCatalog() {}

  private static Column col(String name, String type) {
    return new Column(name, type);
  }

  /**
   * Orders tables so each comes after its parents; self-references are allowed (they are resolved
   * row by row by parking), other cycles are a declaration error.
   *
   * @throws IllegalStateException when the references form a cycle or name an unknown table
   */
  static List<LmsTable> topologicalOrder(List<LmsTable> tables) {
    Map<String, LmsTable> byName = new LinkedHashMap<>();
    tables.forEach(t -> byName.put(t.name(), t));
    List<LmsTable> out = new ArrayList<>();
    Map<String, Boolean> state = new LinkedHashMap<>(); // false = visiting, true = done
    for (LmsTable t : tables) {
      visit(t, byName, state, out);
    }
    return List.copyOf(out);
  }

  private static void visit(LmsTable t, Map<String, LmsTable> byName, Map<String, Boolean> state, List<LmsTable> out) {
    Boolean s = state.get(t.name());
    if (Boolean.TRUE.equals(s)) {
      return;
    }
    if (Boolean.FALSE.equals(s)) {
      throw new IllegalStateException("foreign-key cycle through " + t.name());
    }
    state.put(t.name(), false);
    for (Reference r : t.references()) {
      if (r.parent().equals(t.name())) {
        continue;
      }
      LmsTable parent = byName.get(r.parent());
      if (parent == null) {
        throw new IllegalStateException(t.name() + "." + r.column() + " references unknown table " + r.parent());
      }
      visit(parent, byName, state, out);
    }
    state.put(t.name(), true);
    out.add(t);
  }
}
