package org.edu2lms.transform.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import org.edu2lms.schemas.lms.StaffMember;
import org.edu2lms.schemas.lms.Student;
import org.edu2lms.transform.serde.EduRow;

/** LMS students ← EDU students and staff_members ← EDU teachers (mapping.md §students, §staff_members). */
public final class PeopleMappings {

  /** Derived: the referenced person's user_id when the person is an LMS person, else null. */
  public static final String PERSON = "_person";
  /** Derived: set when the referenced organization is an LMS organization unit. */
  public static final String ORG = "_org";
  /** Derived: the position label (JSON text) when the dictionaries row exists. */
  public static final String POSITION = "_position";

  private static final String[] STUDENT_STATUS = {"inactive", "active", "graduated", "expelled", "on_leave"};

  private PeopleMappings() {}

  /**
   * @return the student, or quarantine {@code missing_parent:persons} (the person is missing or
   *     quarantined, which includes a person whose user is missing) or {@code invalid_value:card_number}
   */
  public static MappingResult<Student> student(EduRow row) {
    Source s = new Source(row);
    JsonNode personUser = s.derived(PERSON);
    if (personUser == null) {
      return s.quarantine("missing_parent:persons", "person_id " + s.number("person_id") + " is not an LMS person");
    }
    String org = s.soft("org_id", ORG, "organizations");
    String number = s.text("card_number");
    if (number == null) {
      return s.quarantine("invalid_value:card_number", "card_number is empty");
    }
    Long status = s.number("status");
    return s.ok(
        Student.newBuilder()
            .setId(Source.uuid("students", s.id()))
            .setLegacyId(s.id())
            .setPersonId(Source.uuid("persons", s.number("person_id")))
            .setUserId(Source.uuid("users", personUser.asLong()))
            .setOrganizationUnitId(org)
            .setStudentNumber(number)
            .setStatus(status != null && status >= 1 && status <= 4 ? STUDENT_STATUS[status.intValue()] : "inactive")
            .setAdmissionYear(s.integer("admission_year"))
            .setSourceLsn(s.lsn())
            .build());
  }

  /**
   * @return the staff member, or quarantine {@code missing_parent:persons}
   */
  public static MappingResult<StaffMember> staffMember(EduRow row) {
    Source s = new Source(row);
    JsonNode personUser = s.derived(PERSON);
    if (personUser == null) {
      return s.quarantine("missing_parent:persons", "person_id " + s.number("person_id") + " is not an LMS person");
    }
    String org = s.soft("org_id", ORG, "organizations");
    JsonNode position = s.derived(POSITION);
    if (position == null && s.number("position_dic_id") != null) {
      s.note("soft_reference_null:position_dic_id");
    }
    Long status = s.number("status");
    return s.ok(
        StaffMember.newBuilder()
            .setId(Source.uuid("teachers", s.id()))
            .setLegacyId(s.id())
            .setPersonId(Source.uuid("persons", s.number("person_id")))
            .setUserId(Source.uuid("users", personUser.asLong()))
            .setOrganizationUnitId(org)
            .setPosition(position == null ? null : position.asText())
            .setStatus(status != null && status == 1 ? "active" : "inactive")
            .setSourceLsn(s.lsn())
            .build());
  }
}
