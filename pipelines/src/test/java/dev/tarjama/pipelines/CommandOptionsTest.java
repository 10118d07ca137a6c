package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * Beam keeps one registry of options interfaces per JVM and refuses two getters of one name with
 * different types or defaults. Every command's options must therefore live together: a test run
 * (one JVM), an embedder or a worker that sees several commands' options would fail otherwise.
 */
class CommandOptionsTest {
  @Test
  void everyCommandsOptionsCanBeRegisteredInOneJvm() {
    List<Class<? extends PipelineOptions>> all =
        List.of(
            TranslateOptions.class,
            SelectOptions.class,
            CalibrateCommand.CalibrateOptions.class,
            EvaluateCommand.EvaluateOptions.class,
            JudgeOptions.class,
            ServeCommand.ServeOptions.class,
            SweepOptions.class);
    for (Class<? extends PipelineOptions> options : all) {
      assertDoesNotThrow(() -> PipelineOptionsFactory.register(options), options.getSimpleName());
    }
  }
}
