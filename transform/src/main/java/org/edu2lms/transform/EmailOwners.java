package org.edu2lms.transform;

import com.fasterxml.jackson.databind.node.LongNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.edu2lms.transform.mapping.Rows;
import org.edu2lms.transform.mapping.UserMapping;
import org.edu2lms.transform.serde.EduRow;
import org.edu2lms.transform.serde.EduRowStoreSerde;
import org.edu2lms.transform.serde.LongSet;

/**
 * The e-mail ownership rule of mapping.md §users (among the users with the same valid normalized
 * e-mail, the lowest EDU id keeps it), resolved in a copy of every user's ownership e-mail that
 * each task of the users sub-topology holds.
 *
 * <p>It replaces an aggregation by e-mail (a repartition topic) followed by a foreign-key join
 * back to the users (a subscription and a response topic): three exactly-once hops for every
 * users change before the sink, which made users the slowest table of live sync once the
 * gradebook tables were down to one (docs/benchmarks §One hop for the gradebook tables). Here each
 * users change that moves the user's ownership e-mail ({@link UserMapping#ownershipEmail}, null
 * when it competes for none) is multicast to every partition of {@link #BROADCAST} (KIP-837,
 * {@link PointsLookup#allPartitions}) as that e-mail ({@link UserSide} tells, {@link
 * DropUnchangedProjection} drops the others), and every task keeps:
 *
 * <ul>
 *   <li>{@link #EMAIL_OF}: user id → its ownership e-mail, for all users;
 *   <li>{@link #HOLDERS}: e-mail → the ids of all users competing for it;
 *   <li>{@link #ROWS}: its own users with the derived column {@link #OWNER} (the owner of their
 *       e-mail, JSON null when none), the last row forwarded per user.
 * </ul>
 *
 * <p>{@link UserSide}: a users change derives the user at once, its owner being the lowest of the
 * holders the task knows and the user itself: one hop. {@link OwnershipSide}: when the multicast
 * of a change moves a user between e-mails, the task's users holding the e-mail it left or the
 * one it joined are derived again. A change that leaves a user's row as it was forwards nothing.
 * Between a change and its multicast, another user of the same e-mail may still show the old
 * owner for one hop; the sink's handling of a unique e-mail taken by a row not yet updated covers
 * that order, as it covered the foreign-key join's.
 */
final class EmailOwners {

  /** Derived column: the EDU id of the owner of the user's e-mail, or JSON null. */
  static final String OWNER = "_email_owner";
  /** Store: user id → ownership e-mail (String), for all users. */
  static final String EMAIL_OF = "users-email-of";
  /** Store: e-mail → ids of the users competing for it ({@link LongSet}), for all users. */
  static final String HOLDERS = "users-email-holders";
  /** Store: the task's users with {@link #OWNER}: user id → Smile bytes of EduRow. */
  static final String ROWS = "users-rows";
  /** The repartition topic (name) that multicasts ownership e-mails. */
  static final String BROADCAST = "users-email-broadcast";

  private EmailOwners() {}

  /** The owner of the user's e-mail, from the holders known and the user itself; null when none. */
  static Long owner(EduRow user, KeyValueStore<String, LongSet> holders) {
    String email = UserMapping.ownershipEmail(user.row());
    if (email == null) {
      return null;
    }
    long self = Rows.id(user.row());
    LongSet known = holders.get(email);
    Long lowest = known == null ? null : known.min();
    return lowest == null ? self : Math.min(self, lowest);
  }

  /**
   * What the receivers of a user's changes hold of its row, as {@link BroadcastLookup#PREVIOUS}
   * bytes: {@code {0}} when there is no row or it does not map ({@link UserMapping#isMappable}:
   * it competes for no e-mail and is no parent of persons or files), else {@code 1} followed by
   * the UTF-8 bytes of its ownership e-mail ({@link UserMapping#ownershipEmail}; nothing more when
   * it has none). The {@link #OWNER} column does not enter it.
   *
   * @param user a users row, derived or not; null when none
   */
  static byte[] projection(EduRow user) {
    if (user == null || !UserMapping.isMappable(user.row())) {
      return DropUnchangedProjection.nothingHeld();
    }
    String email = UserMapping.ownershipEmail(user.row());
    return DropUnchangedProjection.held(email == null ? new byte[0] : email.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether the user (null when deleted) competes for the e-mail the {@link #projection} bytes name. */
  static boolean sameEmail(byte[] projection, EduRow user) {
    byte[] email = DropUnchangedProjection.payload(projection);
    String before = email.length == 0 ? null : new String(email, StandardCharsets.UTF_8);
    return Objects.equals(before, user == null ? null : UserMapping.ownershipEmail(user.row()));
  }

  /** Whether the user (null when deleted) maps exactly when the {@link #projection} bytes say it did. */
  static boolean sameMappability(byte[] projection, EduRow user) {
    return DropUnchangedProjection.isHeld(projection) == (user != null && UserMapping.isMappable(user.row()));
  }

  /** The owner recorded on a derived row ({@link #OWNER}), null when none. */
  static Long ownerOf(EduRow derived) {
    var owner = derived.row().get(OWNER);
    return owner == null || owner.isNull() ? null : owner.asLong();
  }

  /** The stores, and deriving and forwarding on change, shared by both sides. */
  private abstract static class Side {
    private final Serializer<EduRow> serializer = new EduRowStoreSerde().serializer();
    private final Deserializer<EduRow> deserializer = new EduRowStoreSerde().deserializer();
    KeyValueStore<Long, byte[]> rows;
    KeyValueStore<Long, String> emailOf;
    KeyValueStore<String, LongSet> holders;

    void stores(java.util.function.Function<String, Object> context) {
      rows = cast(context.apply(ROWS));
      emailOf = cast(context.apply(EMAIL_OF));
      holders = cast(context.apply(HOLDERS));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object store) {
      return (T) store;
    }

    /** A row as stored in {@link #ROWS}. */
    EduRow read(byte[] stored) {
      return BroadcastLookup.read(deserializer, stored);
    }

    /**
     * Derives the user and keeps it when it differs from the stored row.
     *
     * @param previous the user's stored row as read from {@link #ROWS}, null when none
     * @return the derived row when it changed, else null
     */
    EduRow derive(long id, EduRow user, byte[] previous) {
      Long owner = owner(user, holders);
      EduRow derived = user.with(OWNER, owner == null ? null : LongNode.valueOf(owner));
      byte[] next = serializer.serialize(null, derived);
      if (previous != null && Arrays.equals(previous, next)) {
        return null;
      }
      rows.put(id, next);
      return derived;
    }
  }

  /**
   * users changes (key: users.id; value: the row, null when deleted): one derived row each, on
   * change, with the {@link BroadcastLookup#PREVIOUS} header: the {@link #projection} of the row
   * forwarded for the user before.
   */
  static final class UserSide extends Side implements FixedKeyProcessor<Long, EduRow, EduRow> {
    private FixedKeyProcessorContext<Long, EduRow> context;

    @Override
    public void init(FixedKeyProcessorContext<Long, EduRow> context) {
      this.context = context;
      stores(context::getStateStore);
    }

    @Override
    public void process(FixedKeyRecord<Long, EduRow> record) {
      byte[] previous = rows.get(record.key());
      if (record.value() == null) {
        if (previous != null) {
          rows.delete(record.key());
          context.forward(BroadcastLookup.withPrevious(record, projection(read(previous))));
        }
        return;
      }
      EduRow derived = derive(record.key(), record.value(), previous);
      if (derived != null) {
        context.forward(BroadcastLookup.withPrevious(record.withValue(derived), projection(read(previous))));
      }
    }
  }

  /**
   * Ownership e-mails of all users, received by every task (key: users.id; value: the e-mail,
   * null when the user competes for none or is deleted): updates {@link #EMAIL_OF} and {@link
   * #HOLDERS}, then derives again the task's users holding the e-mail left or joined, forwarding
   * those whose row changed.
   */
  static final class OwnershipSide extends Side implements Processor<Long, String, Long, EduRow> {
    private ProcessorContext<Long, EduRow> context;

    @Override
    public void init(ProcessorContext<Long, EduRow> context) {
      this.context = context;
      stores(context::getStateStore);
    }

    @Override
    public void process(Record<Long, String> record) {
      long id = record.key();
      String before = emailOf.get(id);
      String after = record.value();
      if (Objects.equals(before, after)) {
        return;
      }
      if (after == null) {
        emailOf.delete(id);
      } else {
        emailOf.put(id, after);
      }
      Set<Long> affected = new LinkedHashSet<>();
      if (before != null) {
        LongSet left = holders.get(before);
        LongSet remaining = left == null ? LongSet.empty() : left.minus(id);
        if (remaining.size() == 0) {
          holders.delete(before);
        } else {
          holders.put(before, remaining);
        }
        Arrays.stream(remaining.values()).forEach(affected::add);
      }
      if (after != null) {
        LongSet joined = holders.get(after);
        LongSet now = (joined == null ? LongSet.empty() : joined).plus(id);
        holders.put(after, now);
        Arrays.stream(now.values()).forEach(affected::add);
      }
      for (long user : affected) {
        byte[] stored = rows.get(user);
        if (stored == null) {
          continue; // a user of another task, or deleted
        }
        EduRow derived = derive(user, read(stored), stored);
        if (derived != null) {
          context.forward(new Record<>(user, derived, record.timestamp()));
        }
      }
    }
  }
}
