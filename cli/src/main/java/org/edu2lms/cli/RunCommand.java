package org.edu2lms.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.edu2lms.capture.CaptureConfig;
import org.edu2lms.cli.ops.StatusServer;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.TransformConfig;
import org.postgresql.Driver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms run capture|transform|sink|all}: runs one stage (or all three) of the pipeline
 * against existing PostgreSQL and Kafka servers until stopped (SIGTERM/Ctrl-C: a clean stop,
 * offsets committed) or until the stage fails (exit code 1 with the reason). Stages scale
 * separately: more transform or sink processes join the same consumer group. Each process serves
 * the status page and {@code /metrics} on {@code --http-port}.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run one stage of the pipeline (capture, transform, sink) or all of them, until stopped.")
public final class RunCommand implements Runnable {

  /** What {@code run} accepts. */
  enum Which {
    capture,
    transform,
    sink,
    all;

    Set<Pipeline.Stage> stages() {
      return switch (this) {
        case capture -> EnumSet.of(Pipeline.Stage.CAPTURE);
        case transform -> EnumSet.of(Pipeline.Stage.TRANSFORM);
        case sink -> EnumSet.of(Pipeline.Stage.SINK);
        case all -> EnumSet.allOf(Pipeline.Stage.class);
      };
    }
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "STAGE", description = "capture, transform, sink or all")
  Which which;

  @Mixin ConnectionOptions where;

  @Option(names = "--data-dir", defaultValue = "edu2lms-data", description = "the capture's offset file and the transform's state stores (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--partitions", defaultValue = "1", description = "partitions of the topics the pipeline creates when missing (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--commit-interval", defaultValue = "PT0.1S", description = "the transform's commit interval (default: ${DEFAULT-VALUE})")
  Duration commitInterval;

  @Option(names = "--stream-threads", defaultValue = "" + TransformConfig.DEFAULT_STREAM_THREADS, description = "the transform's stream threads (default: ${DEFAULT-VALUE})")
  int streamThreads;

  @Mixin HttpOptions http;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    if (partitions < 1) {
      throw new ParameterException(spec.commandLine(), "--partitions must be at least 1, got " + partitions);
    }
    http.validate(spec);
    Pipeline.Settings settings;
    try {
      settings = settings();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try {
      Files.createDirectories(dataDir);
      Pipeline pipeline = new Pipeline(settings);
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                try {
                  pipeline.close();
                } catch (Exception e) {
                  System.err.println("edu2lms run: stopping: " + e.getMessage());
                } finally {
                  stopped.countDown();
                }
              },
              "edu2lms-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      pipeline.start(which.stages());
      StatusServer status = pipeline.serveStatus(http.host, http.port, HttpOptions.accountingInterval(false));
      out.printf("edu2lms run %s: started; status page %s (metrics: /metrics)%n", which, http.url(status.port()));
      out.flush();
      while (pipeline.failure() == null && stopped.getCount() > 0) {
        Thread.sleep(500);
      }
      if (pipeline.failure() != null) {
        Runtime.getRuntime().removeShutdownHook(hook);
        pipeline.close();
        throw new IllegalStateException(pipeline.failure().getMessage(), pipeline.failure());
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private Pipeline.Settings settings() {
    Properties url = Driver.parseURL(where.eduUrl, null);
    if (url == null) {
      throw new IllegalArgumentException("--edu-url is not a jdbc:postgresql: URL: " + where.eduUrl);
    }
    CaptureConfig capture =
        new CaptureConfig(
            url.getProperty("PGHOST", "localhost").split(",")[0],
            Integer.parseInt(url.getProperty("PGPORT", "5432").split(",")[0]),
            url.getProperty("PGDBNAME"),
            where.eduUser,
            where.eduPassword == null ? "" : where.eduPassword,
            where.bootstrapServers,
            where.slot,
            where.slot,
            dataDir.resolve("capture-offsets.dat"));
    TransformConfig transform =
        new TransformConfig(where.bootstrapServers, where.transformGroup, dataDir.resolve("streams"), commitInterval.toMillis(), streamThreads);
    SinkConfig sink = new SinkConfig(where.lmsUrl, where.lmsUser, where.lmsPassword == null ? "" : where.lmsPassword, where.bootstrapServers, where.sinkGroup);
    return new Pipeline.Settings(capture, transform, sink, partitions);
  }
}
