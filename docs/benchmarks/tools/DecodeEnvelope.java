// Decoding cost of one Debezium change-event envelope (a journal_details update as the capture
// writes it), the whole-tree read the transform used before session 7 against EduRowSerde's
// streaming read. Not part of the build. Run from the repository root after
// `./mvnw -q -DskipTests package`:
//   java -cp 'cli/target/lib/*' docs/benchmarks/DecodeEnvelope.java
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.edu2lms.transform.serde.EduRow;
import org.edu2lms.transform.serde.EduRowSerde;

public class DecodeEnvelope {

  static final ObjectMapper JSON = new ObjectMapper();

  static final byte[] ENVELOPE =
      ("{\"before\":null,\"after\":{\"id\":412345,\"journal_id\":9876,\"lesson_date\":\"12/03/2024\","
              + "\"point_id_1\":7,\"point_id_2\":null,\"point_id_3\":11,\"create_date\":\"12/03/2024 10:15\"},"
              + "\"source\":{\"version\":\"3.3.1.Final\",\"connector\":\"postgresql\",\"name\":\"edu\",\"ts_ms\":1764063000123,"
              + "\"snapshot\":\"false\",\"db\":\"edu\",\"sequence\":\"[\\\"24023928\\\",\\\"24024048\\\"]\",\"ts_us\":1764063000123456,"
              + "\"ts_ns\":1764063000123456000,\"schema\":\"public\",\"table\":\"journal_details\",\"txId\":1234,"
              + "\"lsn\":24024048,\"xmin\":null},\"transaction\":null,\"op\":\"u\",\"ts_ms\":1764063000200,"
              + "\"ts_us\":1764063000200111,\"ts_ns\":1764063000200111000}")
          .getBytes(StandardCharsets.UTF_8);

  /** The read EduRowSerde did before: the whole envelope as a tree. */
  static EduRow tree(byte[] data) throws Exception {
    JsonNode envelope = JSON.readTree(data);
    JsonNode after = envelope.get("after");
    return new EduRow(after, envelope.path("source").path("lsn").asLong(0));
  }

  public static void main(String[] args) throws Exception {
    var streaming = new EduRowSerde().deserializer();
    if (!tree(ENVELOPE).equals(streaming.deserialize("t", ENVELOPE))) {
      throw new AssertionError("the two reads differ");
    }
    int n = 1_000_000;
    long sink = 0;
    double[] treeNs = new double[7];
    double[] streamNs = new double[7];
    for (int round = 0; round < 7; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += tree(ENVELOPE).lsn();
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += streaming.deserialize("t", ENVELOPE).lsn();
      }
      long t2 = System.nanoTime();
      treeNs[round] = (t1 - t0) / (double) n;
      streamNs[round] = (t2 - t1) / (double) n;
    }
    // The first two rounds are warm-up.
    double[] tr = Arrays.copyOfRange(treeNs, 2, 7);
    double[] st = Arrays.copyOfRange(streamNs, 2, 7);
    Arrays.sort(tr);
    Arrays.sort(st);
    System.out.printf("envelope %d bytes; %,d reads per round, median of 5 rounds after 2 warm-up%n", ENVELOPE.length, n);
    System.out.printf("whole tree : %.0f ns/read (min %.0f, max %.0f)%n", tr[2], tr[0], tr[4]);
    System.out.printf("streaming  : %.0f ns/read (min %.0f, max %.0f)%n", st[2], st[0], st[4]);
    System.out.printf("ratio      : %.2f%n(checksum %d)%n", st[2] / tr[2], sink);
  }
}
