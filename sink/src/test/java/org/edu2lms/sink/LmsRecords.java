package org.edu2lms.sink;

import java.time.Instant;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.lms.OrganizationUnit;
import org.edu2lms.schemas.lms.User;

/** LMS records for the sink's tests: ids by mapping.md's UUID rule, the other fields fixed. */
final class LmsRecords {

  private LmsRecords() {}

  static String id(String table, long legacyId) {
    return LegacyIds.forRow(table, legacyId).toString();
  }

  static User user(long legacyId, String username, String email, long lsn) {
    return User.newBuilder()
        .setId(id("users", legacyId))
        .setLegacyId(legacyId)
        .setUsername(username)
        .setEmail(email)
        .setLegacyEmail(email)
        .setPasswordHash(null)
        .setIsActive(true)
        .setRegisteredAt(Instant.parse("2019-09-01T08:30:00.123456Z"))
        .setSourceLsn(lsn)
        .build();
  }

  static OrganizationUnit org(long legacyId, Long parentLegacyId, long lsn) {
    return OrganizationUnit.newBuilder()
        .setId(id("organizations", legacyId))
        .setLegacyId(legacyId)
        .setParentId(parentLegacyId == null ? null : id("organizations", parentLegacyId))
        .setUnitType("faculty")
        .setName("{\"az\": \"Fakültə " + legacyId + "\"}")
        .setCode("F" + legacyId)
        .setIsActive(true)
        .setSourceLsn(lsn)
        .build();
  }
}
