package dev.tarjama.pipelines;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.api.common.Plan;
import org.apache.flink.api.java.ExecutionEnvironment;
import org.apache.flink.client.ClientUtils;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Flink embedded ({@code --runner=FlinkRunner --flinkMaster=[local]}, batch), with its cluster
 * started while the job is still being checked and built instead of after. Beam's {@code [local]}
 * starts a MiniCluster inside {@code pipeline.run()}, after options, preflight, construction and
 * translation, all on one thread; on a small machine that start is seconds during which the
 * backends wait for their first request. Here a background thread starts the same cluster (the
 * configuration Beam's {@code [local]} and Flink's local executor would give it: the Flink
 * configuration directory, managed memory as a fraction of the free heap, a slot per unit of
 * parallelism, random ports) as soon as the runner is chosen, and {@link #run} hands the job to it
 * through Flink's context environment, which Beam's {@code [auto]} master reads. Same engine, same
 * job graph, same results; the job's end shuts the cluster down as it does under {@code [local]}.
 *
 * <p>Anything else (another runner or master, streaming) runs as Beam runs it: {@link #run} is
 * then {@code pipeline.run()}.
 */
final class EmbeddedFlink implements AutoCloseable {
  /** Flink's {@code execution.target} for jobs handed to the cluster started here. */
  static final String TARGET = "tarjama-embedded";

  private static final String LOCAL = "[local]";
  private static final String AUTO = "[auto]";

  private final FlinkPipelineOptions options;
  private final Configuration configuration;
  private final int slots;
  private final CompletableFuture<MiniCluster> cluster;
  private boolean submitted;

  private EmbeddedFlink(FlinkPipelineOptions options, Configuration configuration, int slots,
      CompletableFuture<MiniCluster> cluster) {
    this.options = options;
    this.configuration = configuration;
    this.slots = slots;
    this.cluster = cluster;
  }

  /**
   * Starts the cluster in the background when {@code options} run batch on Flink embedded, and
   * returns an instance whose {@link #run} uses it; else one whose {@link #run} is Beam's.
   */
  static EmbeddedFlink startIfLocal(PipelineOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (!FlinkRunner.class.equals(options.getRunner()) || !LOCAL.equals(flink.getFlinkMaster())
        || flink.isStreaming()) {
      return new EmbeddedFlink(flink, null, 0, null);
    }
    if (flink.getParallelism() == null || flink.getParallelism() <= 0) {
      // What Beam's [local] gives a job without --parallelism: one per core.
      flink.setParallelism(StreamExecutionEnvironment.getDefaultLocalParallelism());
    }
    int slots = flink.getParallelism();
    Configuration configuration = configuration(flink.getFlinkConfDir());
    MiniClusterConfiguration clusterConfiguration = clusterConfiguration(configuration, slots);
    CompletableFuture<MiniCluster> cluster = CompletableFuture.supplyAsync(() -> {
      MiniCluster started = new MiniCluster(clusterConfiguration);
      try {
        started.start();
      } catch (Exception e) {
        started.closeAsync();
        throw new CompletionException(e);
      }
      return started;
    }, runnable -> {
      Thread starter = new Thread(runnable, "tarjama-flink-start");
      starter.setDaemon(true);
      starter.start();
    });
    return new EmbeddedFlink(flink, configuration, slots, cluster);
  }

  /** Beam's {@code [local]} configuration: the Flink configuration directory, then its settings. */
  static Configuration configuration(String confDir) {
    Configuration configuration = confDir == null || confDir.isEmpty()
        ? GlobalConfiguration.loadConfiguration()
        : GlobalConfiguration.loadConfiguration(confDir);
    if (!configuration.containsKey(TaskManagerOptions.MANAGED_MEMORY_SIZE.key())) {
      long managed = (long) (configuration.get(TaskManagerOptions.MANAGED_MEMORY_FRACTION)
          * EnvironmentInformation.getSizeOfFreeHeapMemoryWithDefrag());
      configuration.setString(TaskManagerOptions.MANAGED_MEMORY_SIZE.key(), managed + "b");
    }
    if (!configuration.containsKey("classloader.check-leaked-classloader")) {
      configuration.setBoolean("classloader.check-leaked-classloader", false);
    }
    configuration.set(DeploymentOptions.TARGET, TARGET);
    configuration.set(DeploymentOptions.ATTACHED, true);
    return configuration;
  }

  /** Flink's local executor's cluster for a job of {@code slots} parallelism. */
  static MiniClusterConfiguration clusterConfiguration(Configuration configuration, int slots) {
    Configuration copy = new Configuration(configuration);
    if (!copy.contains(RestOptions.BIND_PORT)) {
      copy.set(RestOptions.BIND_PORT, "0");
    }
    int taskManagers = copy.get(TaskManagerOptions.MINI_CLUSTER_NUM_TASK_MANAGERS);
    int perTaskManager = copy.getOptional(TaskManagerOptions.NUM_TASK_SLOTS)
        .orElse((slots + taskManagers - 1) / taskManagers);
    return new MiniClusterConfiguration.Builder()
        .setConfiguration(copy)
        .setNumTaskManagers(taskManagers)
        .setNumSlotsPerTaskManager(perTaskManager)
        .setRpcServiceSharing(RpcServiceSharing.SHARED)
        .build();
  }

  /** True when {@link #run} hands the job to a cluster started here. */
  boolean started() {
    return cluster != null;
  }

  /**
   * {@code pipeline.run()}; on the cluster started here when there is one. Flink embedded's
   * {@code run()} blocks until the job ends.
   */
  PipelineResult run(Pipeline pipeline) {
    if (cluster == null) {
      return pipeline.run();
    }
    submitted = true;
    ContextEnvironment.install(() -> new ContextEnvironment(
        new OnStartedCluster(), configuration, EmbeddedFlink.class.getClassLoader()));
    options.setFlinkMaster(AUTO);
    try {
      return pipeline.run();
    } finally {
      options.setFlinkMaster(LOCAL);
      ContextEnvironment.uninstall();
    }
  }

  /** Stops a cluster that no job used (a job's end stops the one it ran on). */
  @Override
  public void close() {
    if (cluster != null && !submitted) {
      cluster.thenAccept(MiniCluster::closeAsync);
    }
  }

  /** Flink's context environment, whose static hooks only a subclass may reach. */
  private static final class ContextEnvironment extends ExecutionEnvironment {
    ContextEnvironment(PipelineExecutorServiceLoader executors, Configuration configuration,
        ClassLoader classLoader) {
      super(executors, configuration, classLoader);
    }

    static void install(org.apache.flink.api.java.ExecutionEnvironmentFactory factory) {
      initializeContextEnvironment(factory);
    }

    static void uninstall() {
      resetContextEnvironment();
    }
  }

  /** The one executor of {@link #TARGET}: the job goes to the cluster started above. */
  private final class OnStartedCluster
      implements PipelineExecutorServiceLoader, PipelineExecutorFactory, PipelineExecutor {
    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration ignored) {
      return this;
    }

    @Override
    public Stream<String> getExecutorNames() {
      return Stream.of(TARGET);
    }

    @Override
    public String getName() {
      return TARGET;
    }

    @Override
    public boolean isCompatibleWith(Configuration conf) {
      return TARGET.equals(conf.get(DeploymentOptions.TARGET));
    }

    @Override
    public PipelineExecutor getExecutor(Configuration ignored) {
      return this;
    }

    @Override
    public CompletableFuture<JobClient> execute(org.apache.flink.api.dag.Pipeline job,
        Configuration conf, ClassLoader classLoader) throws Exception {
      if (job instanceof Plan plan) {
        // As Flink's local executor does: the plan's default parallelism is the cluster's slots.
        plan.setDefaultParallelism(slots);
      }
      JobGraph graph = PipelineExecutorUtils.getJobGraph(job, conf, classLoader);
      MiniCluster started = cluster.join();
      return started.submitJob(graph)
          .thenApplyAsync(submission -> {
            try {
              ClientUtils.waitUntilJobInitializationFinished(
                  () -> started.getJobStatus(submission.getJobID()).get(),
                  () -> started.requestJobResult(submission.getJobID()).get(), classLoader);
            } catch (Exception e) {
              throw new CompletionException(e);
            }
            return (JobClient) new MiniClusterJobClient(submission.getJobID(), started,
                classLoader, MiniClusterJobClient.JobFinalizationBehavior.SHUTDOWN_CLUSTER);
          })
          .whenComplete((client, failure) -> {
            if (failure != null) {
              started.closeAsync();
            }
          });
    }
  }
}
