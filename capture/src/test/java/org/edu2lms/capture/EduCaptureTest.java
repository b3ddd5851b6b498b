package org.edu2lms.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.sql.SQLException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

class EduCaptureTest {

  @Test
  void aLostOrRefusedConnectionToEduIsRetriedByANewEngine() {
    assertThat(EduCapture.lostConnection(new ConnectException("wrapped", new RetriableException("lost", new EOFException())))).isTrue();
    assertThat(EduCapture.lostConnection(new ConnectException(new SQLException("Connection refused", "08001")))).isTrue();
    assertThat(EduCapture.lostConnection(new SQLException("terminating connection due to administrator command", "57P01"))).isTrue();
    assertThat(EduCapture.lostConnection(new SQLException("the database system is shutting down", "57P03"))).isTrue();
  }

  @Test
  void otherErrorsStopTheCapture() {
    assertThat(EduCapture.lostConnection(null)).isFalse();
    assertThat(EduCapture.lostConnection(new ConnectException(new SQLException("permission denied for table users", "42501")))).isFalse();
    assertThat(EduCapture.lostConnection(new IllegalStateException("failed to produce change event to edu.public.users"))).isFalse();
    assertThat(EduCapture.lostConnection(new SQLException("no state"))).isFalse();
  }

  @Test
  void onlyInitialSnapshotReadsWaitAtTheSnapshotGate() {
    assertThat(EduCapture.isInitialSnapshotRead("{\"before\":null,\"after\":{\"id\":1},\"source\":{\"snapshot\":\"first\",\"lsn\":5},\"op\":\"r\"}")).isTrue();
    assertThat(EduCapture.isInitialSnapshotRead("{\"after\":{\"id\":1},\"source\":{\"snapshot\":\"true\",\"lsn\":5},\"op\":\"r\"}")).isTrue();
    assertThat(EduCapture.isInitialSnapshotRead("{\"after\":{\"id\":1},\"source\":{\"snapshot\":\"incremental\",\"lsn\":null},\"op\":\"r\"}"))
        .as("a reload's read").isFalse();
    assertThat(EduCapture.isInitialSnapshotRead("{\"after\":{\"id\":1},\"source\":{\"snapshot\":\"false\",\"lsn\":9},\"op\":\"u\"}")).isFalse();
    assertThat(EduCapture.isInitialSnapshotRead(null)).as("a tombstone").isFalse();
  }
}
