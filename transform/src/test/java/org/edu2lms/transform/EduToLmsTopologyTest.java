package org.edu2lms.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.lms.OrganizationUnit;
import org.edu2lms.schemas.lms.Person;
import org.edu2lms.schemas.lms.QuarantineRecord;
import org.edu2lms.schemas.lms.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology on Debezium-shaped change events, value by value (mapping.md §users, §persons,
 * §organization_units), including children before parents, deletes and re-inserts.
 */
class EduToLmsTopologyTest {

  @TempDir Path stateDir;

  private TopologyFixture t;

  @BeforeEach
  void setUp() {
    t = new TopologyFixture(stateDir);
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  private void upsert(String table, long id, String columnsJson) {
    t.upsert(table, id, columnsJson);
  }

  private void delete(String table, long id) {
    t.delete(table, id);
  }

  private User user(long id) {
    return t.get(LmsTopics.USERS, LegacyIds.forRow("users", id).toString());
  }

  private Person person(long id) {
    return t.get(LmsTopics.PERSONS, LegacyIds.forRow("persons", id).toString());
  }

  private OrganizationUnit org(long id) {
    return t.get(LmsTopics.ORGANIZATION_UNITS, LegacyIds.forRow("organizations", id).toString());
  }

  private QuarantineRecord quarantined(String table, long id) {
    return t.quarantined(table, id, 0);
  }

  private static String userJson(String username, String email) {
    return "\"username\":" + quoted(username) + ",\"email\":" + quoted(email)
        + ",\"password\":\"$2a$10$x\",\"active\":1,\"create_date\":\"24/11/2026 10:15:00\",\"update_date\":\"\"";
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  @Test
  void userIsMappedValueByValue() {
    upsert("users", 7, userJson(" jdoe ", "  John.Doe@Example.AZ "));
    User u = user(7);
    assertThat(u.getId()).isEqualTo(LegacyIds.forRow("users", 7).toString());
    assertThat(u.getLegacyId()).isEqualTo(7);
    assertThat(u.getUsername()).isEqualTo("jdoe");
    assertThat(u.getEmail()).isEqualTo("john.doe@example.az");
    assertThat(u.getLegacyEmail()).isNull();
    assertThat(u.getPasswordHash()).isEqualTo("$2a$10$x");
    assertThat(u.getIsActive()).isTrue();
    assertThat(u.getRegisteredAt()).isEqualTo(Instant.parse("2026-11-24T06:15:00Z"));
    assertThat(u.getSourceLsn()).isEqualTo(t.lsn());
    assertThat(quarantined("users", 7)).isNull();
  }

  @Test
  void aParentUpdateThatChangesNothingItsChildrenUseDoesNotReEmitThem() {
    upsert("users", 7, userJson("jdoe", "j@x.az"));
    upsert("persons", 70, "\"user_id\":7,\"firstname\":\"John\",\"lastname\":\"Doe\"");
    Person before = t.get(LmsTopics.PERSONS, LegacyIds.forRow("persons", 70).toString());
    assertThat(before).isNotNull();
    int persons = t.emitted(LmsTopics.PERSONS);
    int users = t.emitted(LmsTopics.USERS);
    // The user's row changes, but it stays a mappable user: nothing its person derives from it changes.
    upsert("users", 7, userJson("jdoe.renamed", "j@x.az"));
    assertThat(user(7).getUsername()).isEqualTo("jdoe.renamed");
    assertThat(t.emitted(LmsTopics.USERS)).isEqualTo(users + 1);
    assertThat(t.emitted(LmsTopics.PERSONS)).isEqualTo(persons);
    // The user becomes unmappable (empty username): now the person goes to quarantine.
    upsert("users", 7, userJson("  ", "j@x.az"));
    assertThat(t.get(LmsTopics.PERSONS, LegacyIds.forRow("persons", 70).toString())).isNull();
    assertThat(t.quarantined("persons", 70, 0).getReason()).isEqualTo("missing_parent:users");
  }

  /**
   * A users change reaches the persons and files foreign-key joins only when it makes the user
   * map or stop mapping, and the e-mail multicast only when it moves the user's ownership e-mail
   * (DropUnchangedProjection); the LMS user follows every change.
   */
  @Test
  void aUsersChangeReachesTheJoinsAndTheMulticastOnlyWhenWhatTheyHoldMoves() {
    String responses = "persons-user-subscription-response-topic";
    String fileResponses = "files-user-subscription-response-topic";
    String multicast = EmailOwners.BROADCAST + "-repartition";
    upsert("users", 7, userJson("jdoe", "j@x.az"));
    upsert("persons", 70, "\"user_id\":7,\"firstname\":\"John\",\"lastname\":\"Doe\"");
    upsert("files", 700, "\"original_name\":\"a.pdf\",\"path\":\"/a\",\"user_id\":7");
    upsert("files", 701, "\"original_name\":\"b.pdf\",\"path\":\"/b\",\"user_id\":7");
    assertThat(t.get(LmsTopics.FILE_UPLOADS, LegacyIds.forRow("files", 701).toString()).getUploadedBy()).isEqualTo(LegacyIds.forRow("users", 7).toString());
    assertThat(t.internalRecords(multicast)).isEqualTo(1);
    int personAnswers = t.internalRecords(responses);
    int fileAnswers = t.internalRecords(fileResponses);

    // update_date and the username change: the user stays mappable with the same e-mail.
    upsert("users", 7, userJson("jdoe", "j@x.az").replace("\"update_date\":\"\"", "\"update_date\":\"01/12/2026 10:00:00\""));
    upsert("users", 7, userJson("jdoe.renamed", "j@x.az"));
    assertThat(user(7).getUsername()).isEqualTo("jdoe.renamed");
    assertThat(t.internalRecords(responses)).isEqualTo(personAnswers);
    assertThat(t.internalRecords(fileResponses)).isEqualTo(fileAnswers);
    assertThat(t.internalRecords(multicast)).isEqualTo(1);

    // The e-mail moves: multicast once; the joins hear nothing.
    upsert("users", 7, userJson("jdoe.renamed", "John@X.az"));
    assertThat(user(7).getEmail()).isEqualTo("john@x.az");
    assertThat(t.internalRecords(multicast)).isEqualTo(2);
    assertThat(t.internalRecords(responses)).isEqualTo(personAnswers);

    // The user stops mapping: both joins answer (one person, two files), the e-mail is withdrawn.
    upsert("users", 7, userJson("  ", "John@X.az"));
    assertThat(t.internalRecords(responses)).isEqualTo(personAnswers + 1);
    assertThat(t.internalRecords(fileResponses)).isEqualTo(fileAnswers + 2);
    assertThat(t.internalRecords(multicast)).isEqualTo(3);
    assertThat(person(70)).isNull();
    assertThat(t.quarantined("persons", 70, 0).getReason()).isEqualTo("missing_parent:users");
    assertThat(t.get(LmsTopics.FILE_UPLOADS, LegacyIds.forRow("files", 700).toString()).getUploadedBy()).isNull();

    // Still unmappable, another row: nothing for the joins or the multicast.
    upsert("users", 7, userJson("", "other@x.az"));
    assertThat(t.internalRecords(responses)).isEqualTo(personAnswers + 1);
    assertThat(t.internalRecords(multicast)).isEqualTo(3);

    // It maps again, then is deleted: each reaches both joins and the multicast.
    upsert("users", 7, userJson("jdoe", "j@x.az"));
    assertThat(person(70).getUserId()).isEqualTo(LegacyIds.forRow("users", 7).toString());
    assertThat(t.get(LmsTopics.FILE_UPLOADS, LegacyIds.forRow("files", 700).toString()).getUploadedBy()).isEqualTo(LegacyIds.forRow("users", 7).toString());
    delete("users", 7);
    assertThat(t.internalRecords(responses)).isEqualTo(personAnswers + 3);
    assertThat(t.internalRecords(fileResponses)).isEqualTo(fileAnswers + 6);
    assertThat(t.internalRecords(multicast)).isEqualTo(5);
    assertThat(user(7)).isNull();
    assertThat(t.quarantined("persons", 70, 0).getReason()).isEqualTo("missing_parent:users");
    // A delete of a user never seen sends nothing anywhere.
    delete("users", 8);
    assertThat(t.internalRecords(multicast)).isEqualTo(5);
    assertThat(t.internalRecords(responses)).isEqualTo(personAnswers + 3);
    assertThat(t.headerKeys(LmsTopics.USERS)).isEmpty();
    assertThat(t.headerKeys(LmsTopics.QUARANTINE)).isEmpty();
  }

  @Test
  void malformedEmptyAndUnparseableValues() {
    upsert("users", 1, "\"username\":\"a\",\"email\":\" Bad@@Mail \",\"password\":\"  \",\"active\":0,\"create_date\":\"31/02/2020\"");
    upsert("users", 2, "\"username\":\"b\",\"email\":\"   \",\"password\":null,\"active\":2,\"create_date\":null");
    User a = user(1);
    assertThat(a.getEmail()).isNull();
    assertThat(a.getLegacyEmail()).isEqualTo("Bad@@Mail");
    assertThat(a.getPasswordHash()).isNull();
    assertThat(a.getIsActive()).isFalse();
    assertThat(a.getRegisteredAt()).isNull();
    assertThat(t.get(LmsTopics.NOTES, LmsTopics.quarantineKey("users", 1, 0))).isEqualTo("unparseable_date:create_date");
    assertThat(t.get(LmsTopics.NOTES, LmsTopics.quarantineKey("users", 2, 0))).isNull();
    User b = user(2);
    assertThat(b.getEmail()).isNull();
    assertThat(b.getLegacyEmail()).isNull();
    assertThat(b.getIsActive()).isFalse();
  }

  @Test
  void sharedEmailGoesToTheLowestIdAndFollowsChanges() {
    upsert("users", 5, userJson("five", "shared@x.az"));
    assertThat(user(5).getEmail()).isEqualTo("shared@x.az");
    upsert("users", 3, userJson("three", " SHARED@X.AZ "));
    assertThat(user(3).getEmail()).isEqualTo("shared@x.az");
    assertThat(user(3).getLegacyEmail()).isNull();
    assertThat(user(5).getEmail()).isNull();
    assertThat(user(5).getLegacyEmail()).isEqualTo("shared@x.az");
    // A quarantined user (empty username) does not compete for the address.
    upsert("users", 1, userJson("  ", "shared@x.az"));
    assertThat(user(1)).isNull();
    assertThat(quarantined("users", 1).getReason()).isEqualTo("invalid_value:username");
    assertThat(user(3).getEmail()).isEqualTo("shared@x.az");
    // The owner leaves: the next lowest id gets the address back.
    delete("users", 3);
    assertThat(user(3)).isNull();
    assertThat(user(5).getEmail()).isEqualTo("shared@x.az");
    assertThat(user(5).getLegacyEmail()).isNull();
  }

  @Test
  void twoUsersSwappingEmailsEndWithTheirOwn() {
    upsert("users", 1, userJson("one", "a@x.az"));
    upsert("users", 2, userJson("two", "b@x.az"));
    upsert("users", 1, userJson("one", "b@x.az"));
    upsert("users", 2, userJson("two", "a@x.az"));
    assertThat(user(1).getEmail()).isEqualTo("b@x.az");
    assertThat(user(2).getEmail()).isEqualTo("a@x.az");
  }

  /**
   * Ownership is resolved in each task's copy of every user's e-mail (EmailOwners): a change that
   * keeps the e-mail emits that user alone; a move between e-mails emits the mover and the holders
   * whose ownership changed, no one else.
   */
  @Test
  void aUserChangeEmitsOnlyTheUsersWhoseOwnershipOrRowChanged() {
    upsert("users", 1, userJson("one", "a@x.az"));
    upsert("users", 2, userJson("two", "a@x.az"));
    upsert("users", 3, userJson("three", "b@x.az"));
    upsert("users", 4, userJson("four", "c@x.az"));
    int before = t.emitted(LmsTopics.USERS);
    upsert("users", 2, userJson("two-renamed", "a@x.az"));
    assertThat(t.emitted(LmsTopics.USERS)).isEqualTo(before + 1);
    assertThat(user(2).getUsername()).isEqualTo("two-renamed");
    assertThat(user(2).getLegacyEmail()).isEqualTo("a@x.az");

    // 1 moves from a@ to b@: 1 takes b@ from 3 (lower id), 2 gets a@; 4 is untouched.
    upsert("users", 1, userJson("one", "b@x.az"));
    assertThat(t.emitted(LmsTopics.USERS)).isEqualTo(before + 4);
    assertThat(user(1).getEmail()).isEqualTo("b@x.az");
    assertThat(user(2).getEmail()).isEqualTo("a@x.az");
    assertThat(user(3).getEmail()).isNull();
    assertThat(user(3).getLegacyEmail()).isEqualTo("b@x.az");
    assertThat(user(4).getEmail()).isEqualTo("c@x.az");
  }

  @Test
  void emptyUsernameIsQuarantinedAndReleasedWhenFixed() {
    upsert("users", 9, userJson("", "x@y.az"));
    assertThat(user(9)).isNull();
    QuarantineRecord q = quarantined("users", 9);
    assertThat(q.getSourceTable()).isEqualTo("users");
    assertThat(q.getSourceId()).isEqualTo(9);
    assertThat(q.getComponent()).isZero();
    assertThat(q.getReason()).isEqualTo("invalid_value:username");
    upsert("users", 9, userJson("nine", "x@y.az"));
    assertThat(user(9).getUsername()).isEqualTo("nine");
    assertThat(quarantined("users", 9)).isNull();
  }

  @Test
  void personBeforeItsUserWaitsInQuarantineThenArrives() {
    upsert("persons", 4, "\"user_id\":40,\"firstname\":\" Aysel \",\"lastname\":\"Aliyeva\",\"patronymic\":\"\",\"birthdate\":\"05.06.1999\",\"gender\":2,\"pincode\":\" AB12C34 \"");
    long personLsn = t.lsn();
    assertThat(person(4)).isNull();
    assertThat(quarantined("persons", 4).getReason()).isEqualTo("missing_parent:users");
    upsert("users", 40, userJson("aysel", "aysel@x.az"));
    Person p = person(4);
    assertThat(p.getUserId()).isEqualTo(LegacyIds.forRow("users", 40).toString());
    assertThat(p.getFirstName()).isEqualTo("Aysel");
    assertThat(p.getLastName()).isEqualTo("Aliyeva");
    assertThat(p.getMiddleName()).isNull();
    assertThat(p.getBirthDate()).isEqualTo(LocalDate.of(1999, 6, 5));
    assertThat(p.getGender()).isEqualTo("female");
    assertThat(p.getNationalId()).isEqualTo("AB12C34");
    // The position is the person's own LSN, not its user's (EduRow#with: it must only grow per row).
    assertThat(p.getSourceLsn()).isEqualTo(personLsn).isLessThan(t.lsn());
    assertThat(quarantined("persons", 4)).isNull();
    // The user is deleted: the person goes back to quarantine; re-inserted: it returns.
    delete("users", 40);
    assertThat(person(4)).isNull();
    assertThat(quarantined("persons", 4).getReason()).isEqualTo("missing_parent:users");
    upsert("users", 40, userJson("aysel", "aysel@x.az"));
    assertThat(person(4).getFirstName()).isEqualTo("Aysel");
  }

  @Test
  void personChecksInTheOrderOfTheRules() {
    upsert("persons", 1, "\"user_id\":99,\"firstname\":\"\",\"lastname\":\"\",\"gender\":1");
    assertThat(quarantined("persons", 1).getReason()).isEqualTo("missing_parent:users");
    upsert("users", 99, userJson("u99", null));
    assertThat(quarantined("persons", 1).getReason()).isEqualTo("invalid_value:firstname");
    upsert("persons", 1, "\"user_id\":99,\"firstname\":\"F\",\"lastname\":\" \",\"gender\":1");
    assertThat(quarantined("persons", 1).getReason()).isEqualTo("invalid_value:lastname");
    upsert("persons", 1, "\"user_id\":99,\"firstname\":\"F\",\"lastname\":\"L\",\"gender\":3,\"birthdate\":\"garbage\"");
    Person p = person(1);
    assertThat(p.getGender()).isNull();
    assertThat(p.getBirthDate()).isNull();
    assertThat(quarantined("persons", 1)).isNull();
  }

  @Test
  void personOfAQuarantinedUserIsQuarantined() {
    upsert("users", 8, userJson(" ", null));
    upsert("persons", 8, "\"user_id\":8,\"firstname\":\"F\",\"lastname\":\"L\"");
    assertThat(person(8)).isNull();
    assertThat(quarantined("persons", 8).getReason()).isEqualTo("missing_parent:users");
  }

  @Test
  void organizationWaitsForItsNameLabelAndItsParentIsSoft() {
    upsert("organizations", 2, "\"parent_id\":1,\"dic_id\":20,\"type_id\":3,\"code\":\" D-2 \",\"active\":1");
    assertThat(org(2)).isNull();
    assertThat(quarantined("organizations", 2).getReason()).isEqualTo("missing_parent:dictionaries");
    upsert("dictionaries", 20, "\"type_id\":1,\"name_az\":\"Kafedra\",\"name_en\":\"\",\"name_ru\":null,\"active\":1");
    OrganizationUnit o = org(2);
    assertThat(o.getName()).isEqualTo("{\"az\":\"Kafedra\"}");
    assertThat(o.getParentId()).as("parent 1 does not exist: soft reference → NULL").isNull();
    assertThat(o.getUnitType()).isEqualTo("department");
    assertThat(o.getCode()).isEqualTo("D-2");
    assertThat(o.getIsActive()).isTrue();
    assertThat(quarantined("organizations", 2)).isNull();
    // The parent arrives (root: parent_id 0), with an unknown type → other.
    upsert("dictionaries", 10, "\"type_id\":1,\"name_az\":\"Universitet\",\"name_en\":\"University\",\"name_ru\":\"Университет\",\"active\":1");
    upsert("organizations", 1, "\"parent_id\":0,\"dic_id\":10,\"type_id\":9,\"code\":null,\"active\":0");
    assertThat(org(2).getParentId()).isEqualTo(LegacyIds.forRow("organizations", 1).toString());
    OrganizationUnit root = org(1);
    assertThat(root.getParentId()).isNull();
    assertThat(root.getUnitType()).isEqualTo("other");
    assertThat(root.getIsActive()).isFalse();
    assertThat(root.getName()).isEqualTo("{\"az\":\"Universitet\",\"en\":\"University\",\"ru\":\"Университет\"}");
    // The parent's label is deleted: the parent is quarantined, the child's reference goes NULL.
    delete("dictionaries", 10);
    assertThat(org(1)).isNull();
    assertThat(quarantined("organizations", 1).getReason()).isEqualTo("missing_parent:dictionaries");
    assertThat(org(2).getParentId()).isNull();
  }

  @Test
  void aMappingExceptionBecomesAMappingErrorAndTheStreamGoesOn() {
    upsert("users", 6, "\"username\":\"six\",\"active\":\"not-a-number\"");
    QuarantineRecord q = quarantined("users", 6);
    assertThat(q.getReason()).isEqualTo("mapping_error");
    assertThat(q.getDetail()).contains("NumberFormatException");
    upsert("users", 7, userJson("seven", null));
    assertThat(user(7).getUsername()).isEqualTo("seven");
  }
}
