package org.edu2lms.sink;

/**
 * Settings of the sink stage.
 *
 * @param lmsJdbcUrl the LMS database, e.g. {@code jdbc:postgresql://localhost:5432/lms}
 * @param lmsUser a user with DML on the LMS tables and the edu2lms schema
 * @param lmsPassword its password
 * @param kafkaBootstrap Kafka bootstrap servers
 * @param groupId the sink's consumer group ({@code edu2lms-sink}); its committed offsets are the
 *     position of LMS in the lms.* topics
 * @param maxPollRecords the most records one batch (one database transaction) takes
 */
public record SinkConfig(
    String lmsJdbcUrl, String lmsUser, String lmsPassword, String kafkaBootstrap, String groupId, int maxPollRecords) {

  /** Default consumer group. */
  public static final String DEFAULT_GROUP_ID = "edu2lms-sink";

  /**
   * @throws IllegalArgumentException naming the setting that is missing or out of range
   */
  public SinkConfig {
    if (lmsJdbcUrl == null || !lmsJdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("sink.lms.url must be a jdbc:postgresql: URL, got " + lmsJdbcUrl);
    }
    if (lmsUser == null || lmsUser.isBlank()) {
      throw new IllegalArgumentException("sink.lms.user is required");
    }
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      throw new IllegalArgumentException("kafka.bootstrap.servers is required");
    }
    if (groupId == null || groupId.isBlank()) {
      throw new IllegalArgumentException("sink.group.id is required");
    }
    if (maxPollRecords < 1 || maxPollRecords > 100_000) {
      throw new IllegalArgumentException("sink.max.poll.records must be 1..100000, got " + maxPollRecords);
    }
  }
}
