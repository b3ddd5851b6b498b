import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.edu2lms.transform.EduToLmsTopology;

/**
 * Counts the transform's sub-topologies and the topics their sources read (one partition each in
 * the embedded setup), and how many of those are the internal subscription and response topics of
 * Kafka Streams' foreign-key joins. Each stream thread's consumer fetches every source partition of
 * the tasks it owns, on every fetch.
 *
 * <p>Used in docs/benchmarks §Debezium's poll interval 5 ms (session 20), after {@code ./mvnw -q
 * -DskipTests package}:
 *
 * <pre>
 * java -cp 'cli/target/lib/*:cli/target/edu2lms.jar' docs/benchmarks/tools/TopologySources.java
 * </pre>
 */
public class TopologySources {

  public static void main(String[] args) {
    TopologyDescription description = EduToLmsTopology.buildTopology().describe();
    Set<String> topics = new TreeSet<>();
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Source source) {
          topics.addAll(source.topicSet());
        }
      }
    }
    long foreignKey = topics.stream().filter(t -> t.endsWith("-subscription-registration-topic") || t.endsWith("-subscription-response-topic")).count();
    System.out.printf("%d sub-topologies, %d source topics, %d of them foreign-key subscription/response topics%n",
        description.subtopologies().size(), topics.size(), foreignKey);
  }
}
