package org.edu2lms.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A stage's {@code group.instance.id} (Kafka's static group membership), kept in a file of the
 * stage's data folder so that the same process restarted on the same folder, after a crash or an
 * upgrade, is the same member: the group coordinator hands it its partitions back at once instead
 * of waiting for the crashed member's session to time out and rebalancing twice
 * (docs/operations.md §Restarts). Two processes must never share a data folder; the transform's
 * state-folder lock already refuses that.
 */
final class GroupInstanceId {

  /** What an id may contain: Kafka accepts any string, this keeps it printable and short. */
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  private GroupInstanceId() {}

  /**
   * The id kept in {@code folder}/{@code <group>.group-instance-id}, created there as {@code
   * <group>-<random UUID>} on first use (the folder too).
   *
   * @param folder the stage's data folder
   * @param group the consumer group (or Kafka Streams application id) the member belongs to
   * @return the id, e.g. {@code edu2lms-sink-3f1c…}
   * @throws UncheckedIOException when the file cannot be read or written
   * @throws IllegalStateException when the file holds something that is not an id (it is left as
   *     it is: an operator may have put it there)
   */
  static String of(Path folder, String group) {
    Path file = folder.resolve(group + ".group-instance-id");
    try {
      if (Files.exists(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!VALID.matcher(id).matches()) {
          throw new IllegalStateException(file + " does not hold a group.instance.id ([A-Za-z0-9._-]{1,200}); remove it to have a new one made");
        }
        return id;
      }
      Files.createDirectories(folder);
      String id = group + "-" + UUID.randomUUID();
      Path tmp = Files.createTempFile(folder, group, ".tmp");
      Files.writeString(tmp, id + System.lineSeparator(), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("the group.instance.id file " + file + ": " + e.getMessage(), e);
    }
  }
}
