import java.io.File;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;

/**
 * Counts, per partition folder of a Kafka broker's log directory, the transaction markers (control
 * batches) and the transactional record batches and records whose newest timestamp falls in a
 * window, and prints markers per transaction: all markers over those in {@code
 * __consumer_offsets} (every exactly-once commit of a Kafka Streams thread marks the one offsets
 * partition of its group, so those count the transactions). Reads the segment files only; never
 * writes or truncates them, so it may run beside the broker.
 *
 * <p>Used in docs/benchmarks §What the live p99 is made of. {@code bench live} deletes its data
 * folder when it ends, so run this during its live steps, on the embedded broker's folder:
 *
 * <pre>
 * java -cp 'cli/target/lib/*' docs/benchmarks/tools/TransactionMarkers.java \
 *     &lt;data-dir&gt;/kafka/combined_0_0 $(( $(date +%s%3N) - 100000 )) $(date +%s%3N)
 * </pre>
 *
 * Arguments: the log directory; optionally the window's start and end, epoch ms (default: all).
 */
public class TransactionMarkers {

  public static void main(String[] args) throws IOException {
    if (args.length != 1 && args.length != 3) {
      System.err.println("usage: TransactionMarkers <kafka log dir> [<from epoch ms> <to epoch ms>]");
      System.exit(2);
    }
    File root = new File(args[0]);
    if (!root.isDirectory()) {
      System.err.println("not a folder: " + root);
      System.exit(2);
    }
    long from = args.length == 3 ? Long.parseLong(args[1]) : Long.MIN_VALUE;
    long to = args.length == 3 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
    // per partition: markers, transactional batches, transactional records, other batches
    Map<String, long[]> counts = new TreeMap<>();
    for (File partition : Objects.requireNonNull(root.listFiles(f -> f.isDirectory() && f.getName().matches(".*-\\d+")))) {
      long[] c = new long[4];
      for (File segment : Objects.requireNonNull(partition.listFiles((d, n) -> n.endsWith(".log")))) {
        FileRecords records = FileRecords.open(segment, false);
        try {
          for (FileChannelRecordBatch b : records.batches()) {
            if (b.maxTimestamp() < from || b.maxTimestamp() > to) {
              continue;
            }
            if (b.isControlBatch()) {
              c[0]++;
            } else if (b.isTransactional()) {
              c[1]++;
              Integer n = b.countOrNull();
              c[2] += n == null ? 0 : n;
            } else {
              c[3]++;
            }
          }
        } finally {
          records.closeHandlers(); // not close(): that trims (truncates) the file to its size
        }
      }
      if (c[0] + c[1] + c[3] > 0) {
        counts.put(partition.getName(), c);
      }
    }
    long markers = 0;
    long transactions = 0;
    long records = 0;
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      long[] c = e.getValue();
      markers += c[0];
      records += c[2];
      if (e.getKey().startsWith("__consumer_offsets")) {
        transactions += c[0];
      }
      System.out.printf("%-90s markers %7d  transactional batches %7d  records %8d  other batches %7d%n", e.getKey(), c[0], c[1], c[2], c[3]);
    }
    System.out.printf(
        "transactions %d, markers %d, markers per transaction %.1f, transactional records %d%n",
        transactions, markers, transactions == 0 ? Double.NaN : (double) markers / transactions, records);
  }
}
