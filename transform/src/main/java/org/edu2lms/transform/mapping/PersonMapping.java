package org.edu2lms.transform.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.lms.Person;
import org.edu2lms.transform.serde.EduRow;

/** LMS persons ← EDU persons (mapping.md §persons). */
public final class PersonMapping {

  /** Derived: set when the referenced user is an LMS user. */
  public static final String USER = "_user";

  private PersonMapping() {}

  /**
   * Maps one persons row.
   *
   * @param person the persons row with the derived column {@link #USER} (set when the referenced
   *     user exists and is not quarantined)
   * @return the LMS person, or quarantine {@code missing_parent:users}, {@code
   *     invalid_value:firstname} or {@code invalid_value:lastname}, in that order of checks
   */
  public static MappingResult<Person> map(EduRow person) {
    JsonNode row = person.row();
    long lsn = person.lsn();
    Long userId = Rows.longValue(row, "user_id");
    JsonNode user = row.get(USER);
    if (user == null || user.isNull()) {
      return MappingResult.quarantine(
          "missing_parent:users", "user_id " + userId + " is not an LMS user (missing or quarantined)", lsn);
    }
    String first = Texts.clean(Rows.text(row, "firstname"));
    if (first == null) {
      return MappingResult.quarantine("invalid_value:firstname", "firstname is empty", lsn);
    }
    String last = Texts.clean(Rows.text(row, "lastname"));
    if (last == null) {
      return MappingResult.quarantine("invalid_value:lastname", "lastname is empty", lsn);
    }
    List<String> notes = new ArrayList<>(1);
    String birth = Rows.text(row, "birthdate");
    LocalDate birthDate = TextDates.parseDate(birth);
    if (birthDate == null && birth != null) {
      notes.add("unparseable_date:birthdate");
    }
    Long gender = Rows.longValue(row, "gender");
    long id = Rows.id(row);
    Person out =
        Person.newBuilder()
            .setId(LegacyIds.forRow("persons", id).toString())
            .setLegacyId(id)
            .setUserId(LegacyIds.forRow("users", userId).toString())
            .setFirstName(first)
            .setLastName(last)
            .setMiddleName(Texts.clean(Rows.text(row, "patronymic")))
            .setBirthDate(birthDate)
            .setGender(gender == null ? null : gender == 1 ? "male" : gender == 2 ? "female" : null)
            .setNationalId(Texts.clean(Rows.text(row, "pincode")))
            .setSourceLsn(lsn)
            .build();
    return MappingResult.ok(out, lsn, notes);
  }
}
