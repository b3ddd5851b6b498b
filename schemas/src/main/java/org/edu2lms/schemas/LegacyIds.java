package org.edu2lms.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The deterministic LMS keys of {@code mapping.md §Keys}: every LMS id is a name-based UUID
 * (RFC 4122 version 5, SHA-1) in the namespace {@link #NAMESPACE} of a name string. No mapping
 * table is ever needed: any stage can recompute any id, and a replay writes the same ids again.
 *
 * <p>This is the only place the rule lives; every module calls it.
 */
public final class LegacyIds {

  /** {@code uuid5(NAMESPACE_URL, "urn:edu2lms:legacy")}, normative in mapping.md §Keys. */
  public static final UUID NAMESPACE = UUID.fromString("e5f135c8-ba1d-52fb-b924-ebdd608a3580");

  private LegacyIds() {}

  /**
   * The UUID of the LMS row mapped from one EDU row: name {@code <edu_table>:<id>}.
   *
   * @param eduTable the EDU table name as in edu.md, e.g. {@code students}
   * @param id the EDU primary key
   * @return e.g. {@code students:42 → a87da4be-f509-5f59-949d-d5e6f0c65989}
   */
  public static UUID forRow(String eduTable, long id) {
    return uuid5(eduTable + ":" + id);
  }

  /** The academic term of an edu_years × semesters pair: name {@code term:<edu_year_id>:<semester_id>}. */
  public static UUID forTerm(long eduYearId, long semesterId) {
    return uuid5("term:" + eduYearId + ":" + semesterId);
  }

  /** The component assessment n (1..3) of a section: name {@code component:<course.id>:<n>}. */
  public static UUID forComponent(long courseId, int n) {
    return uuid5("component:" + courseId + ":" + n);
  }

  /** The grade of mark n (1..3) of a journal_details row: name {@code journal_details:<id>:<n>}. */
  public static UUID forGrade(long journalDetailId, int n) {
    return uuid5("journal_details:" + journalDetailId + ":" + n);
  }

  /**
   * RFC 4122 §4.3 name-based UUID, version 5, in {@link #NAMESPACE}.
   *
   * @param name the name string, encoded as UTF-8
   */
  public static UUID uuid5(String name) {
    return uuid5(NAMESPACE, name);
  }

  /**
   * RFC 4122 §4.3 name-based UUID, version 5, in any namespace.
   *
   * @param namespace the namespace UUID
   * @param name the name string, encoded as UTF-8
   */
  public static UUID uuid5(UUID namespace, String name) {
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by every Java platform", e);
    }
    sha1.update(toBytes(namespace));
    byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
    ByteBuffer bb = ByteBuffer.wrap(hash, 0, 16);
    return new UUID(bb.getLong(), bb.getLong());
  }

  private static byte[] toBytes(UUID uuid) {
    return ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits())
        .array();
  }
}
