import com.sun.tools.attach.VirtualMachine;
import java.util.Set;
import java.util.TreeSet;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Prints the Kafka consumers' own fetch and poll metrics of a running edu2lms JVM (the transform's
 * stream-thread and restore consumers, the sink's), read over JMX: {@code fetch-rate} (fetch
 * requests per second), {@code records-per-request-avg}, {@code fetch-latency-avg} (ms) and {@code
 * time-between-poll-avg} (ms), each over Kafka's metric window (the last 30–60 s). It attaches to
 * the process (the JDK's attach API starts its local management agent) and only reads.
 *
 * <p>Used in docs/benchmarks §Debezium's poll interval 5 ms (session 20): run it during the live
 * steps of a {@code bench live}:
 *
 * <pre>
 * java docs/benchmarks/tools/ConsumerFetchRates.java $(pgrep -f 'edu2lms.jar bench live')
 * </pre>
 *
 * Argument: the process id of the JVM.
 */
public class ConsumerFetchRates {

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java ConsumerFetchRates.java <pid of the edu2lms JVM>");
      System.exit(2);
    }
    VirtualMachine vm = VirtualMachine.attach(args[0]);
    String address;
    try {
      address = vm.startLocalManagementAgent();
    } finally {
      vm.detach();
    }
    try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
      MBeanServerConnection server = connector.getMBeanServerConnection();
      print(server, "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*", "fetch-rate", "records-per-request-avg", "fetch-latency-avg");
      print(server, "kafka.consumer:type=consumer-metrics,client-id=*", "time-between-poll-avg");
    }
  }

  private static void print(MBeanServerConnection server, String pattern, String... attributes) throws Exception {
    Set<ObjectName> names = new TreeSet<>(server.queryNames(new ObjectName(pattern), null));
    for (ObjectName name : names) {
      StringBuilder line = new StringBuilder(name.getKeyProperty("client-id"));
      for (String attribute : attributes) {
        line.append("  ").append(attribute).append('=').append(server.getAttribute(name, attribute));
      }
      System.out.println(line);
    }
  }
}
