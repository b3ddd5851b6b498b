package org.edu2lms.schemas;

import java.util.List;

/**
 * The EDU tables of edu.md, in the order the legacy schema lists them, and the Kafka topic each
 * one is captured into ({@code edu.public.<table>}, architecture.md).
 */
public final class EduTables {

  /** Every EDU table the pipeline captures (the publication covers exactly these). */
  public static final List<String> ALL =
      List.of(
          "dictionaries",
          "points",
          "edu_years",
          "semesters",
          "users",
          "persons",
          "organizations",
          "students",
          "teachers",
          "education_plan",
          "education_plan_subject",
          "course",
          "course_teacher",
          "course_meeting_topic",
          "files",
          "course_meeting_topic_file",
          "journal",
          "journal_details",
          "exam",
          "exam_result");

  /**
   * The pipeline's own heartbeat table in EDU, {@code edu2lms_heartbeat(id bigint PRIMARY KEY, ts
   * timestamptz NOT NULL)}: the capture updates its one row every heartbeat interval (Debezium
   * {@code heartbeat.action.query}) and publishes it like the EDU tables, so the time a change
   * takes from EDU to LMS can be measured even when nothing else changes (issue "See the sync").
   * Not in {@link #ALL}: it holds no legacy data and is never mapped to an LMS table.
   */
  public static final String HEARTBEAT = "edu2lms_heartbeat";

  /**
   * Debezium's signal table in EDU, {@code edu2lms_signal(id varchar(42) PRIMARY KEY, type
   * varchar(32) NOT NULL, data varchar(2048))} ({@code signal.data.collection}): {@code edu2lms
   * reload} inserts an {@code execute-snapshot} signal, and Debezium writes the incremental
   * snapshot's watermarks into it. Published (Debezium reads its signals from the WAL); its change
   * events are not forwarded to Kafka. Not in {@link #ALL}.
   */
  public static final String SIGNAL = "edu2lms_signal";

  /** Prefix of the change-event topics: Debezium's {@code topic.prefix} + schema. */
  public static final String TOPIC_PREFIX = "edu";

  private EduTables() {}

  /** The change-event topic of an EDU table, e.g. {@code edu.public.users}. */
  public static String topic(String table) {
    return TOPIC_PREFIX + ".public." + table;
  }
}
