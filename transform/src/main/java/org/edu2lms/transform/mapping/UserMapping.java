package org.edu2lms.transform.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.lms.User;
import org.edu2lms.transform.serde.EduRow;

/** LMS users ← EDU users (mapping.md §users). */
public final class UserMapping {

  private UserMapping() {}

  /** Whether the row maps to an LMS user at all (its username is not empty). */
  public static boolean isMappable(JsonNode row) {
    return Texts.clean(Rows.text(row, "username")) != null;
  }

  /**
   * The normalized e-mail this user competes for, or {@code null} when the user is quarantined or
   * has no valid e-mail. Among the users with the same value, the lowest EDU id keeps it.
   */
  public static String ownershipEmail(JsonNode row) {
    return isMappable(row) ? Emails.normalizedValid(Rows.text(row, "email")) : null;
  }

  /**
   * Maps one users row.
   *
   * @param user the users row
   * @param emailOwner the lowest EDU id among the non-quarantined users with the same valid
   *     normalized e-mail, or {@code null} when unknown (then the e-mail is not kept, until the
   *     ownership arrives)
   * @return the LMS user, or quarantine {@code invalid_value:username}
   */
  public static MappingResult<User> map(EduRow user, Long emailOwner) {
    JsonNode row = user.row();
    long id = Rows.id(row);
    String username = Texts.clean(Rows.text(row, "username"));
    if (username == null) {
      return MappingResult.quarantine("invalid_value:username", "username is empty", user.lsn());
    }
    List<String> notes = new ArrayList<>(1);
    String original = Texts.clean(Rows.text(row, "email"));
    String normalized = Emails.normalizedValid(original);
    String email = null;
    String legacyEmail = null;
    if (original != null) {
      if (normalized != null && emailOwner != null && emailOwner == id) {
        email = normalized;
      } else {
        legacyEmail = original;
      }
    }
    String created = Rows.text(row, "create_date");
    Instant registeredAt = TextDates.parseTimestamp(created);
    if (registeredAt == null && created != null) {
      notes.add("unparseable_date:create_date");
    }
    User out =
        User.newBuilder()
            .setId(LegacyIds.forRow("users", id).toString())
            .setLegacyId(id)
            .setUsername(username)
            .setEmail(email)
            .setLegacyEmail(legacyEmail)
            .setPasswordHash(Texts.clean(Rows.text(row, "password")))
            .setIsActive(Rows.flag(row, "active"))
            .setRegisteredAt(registeredAt)
            .setSourceLsn(user.lsn())
            .build();
    return MappingResult.ok(out, user.lsn(), notes);
  }
}
