package org.edu2lms.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.edu2lms.cli.ops.Replay;
import org.edu2lms.sink.LmsSchema;
import org.edu2lms.sink.SinkConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms replay}: rebuilds LMS from the compacted replay topics ({@link Replay}): to
 * repair an LMS restored from an old backup, or to fill a fresh empty LMS database. The sink's
 * consumer group ({@code --sink-group}) is reset only when no sink of it is running. Exit code 0
 * when every record up to the topics' current end has been applied and nothing is parked, 1
 * otherwise.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Re-apply the compacted lms.*, quarantine and notes topics to LMS from the beginning, with the sink's own code, then stop.",
      "Stop the sink first (its consumer group is reset; replay refuses while a member is active), or use another --sink-group to fill another LMS database.",
      "Run edu2lms verify afterwards: a tombstone older than the topics' delete.retention.ms (24 h) is gone, so a row deleted before that stays in a restored LMS as an extra row."
    })
public final class ReplayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions where;

  @Option(names = "--to-empty-lms", description = "require every LMS table and the quarantine to be empty (a fresh database); the schema is migrated first")
  boolean toEmptyLms;

  @Option(names = "--timeout", defaultValue = "PT2H", description = "give up after this long, ISO-8601 (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    where.fromConfiguration(spec);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LmsSchema.migrate(where.lmsUrl, where.lmsUser, where.lmsPassword);
    if (toEmptyLms) {
      try (Connection lms = where.lms()) {
        Replay.requireEmpty(lms);
      }
    }
    SinkConfig config = new SinkConfig(where.lmsUrl, where.lmsUser, where.lmsPassword, where.bootstrapServers, where.sinkGroup);
    try (Admin admin = where.admin()) {
      Replay.Result r =
          Replay.run(admin, config, timeout, p -> {
                err.printf("replay: %,d of %,d offsets applied%n", p[0], p[1]);
                err.flush();
              });
      out.printf(
          "replayed %,d offsets of %d topics into %s in %.1f s: %,d rows upserted, %,d deleted, %d parked%n",
          r.records(), Replay.topics().size(), where.lmsUrl, r.seconds(), r.rowsUpserted(), r.rowsDeleted(), r.parkedLeft());
      out.println("next: edu2lms verify (the consumer group " + where.sinkGroup + " now continues from here under edu2lms run sink)");
      out.flush();
      return r.parkedLeft() == 0 ? 0 : 1;
    }
  }
}
