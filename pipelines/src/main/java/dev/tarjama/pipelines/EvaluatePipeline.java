package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.OutputLayout;
import dev.tarjama.transforms.evaluate.EvaluateTranslations;
import dev.tarjama.transforms.evaluate.EvaluationCoders;
import dev.tarjama.transforms.evaluate.EvaluationSegment;
import dev.tarjama.transforms.evaluate.SystemOutput;
import dev.tarjama.transforms.evaluate.SystemScores;
import dev.tarjama.transforms.io.OutputRecords;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.translate.TranslateChunks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Wires {@code tarjama evaluate}: the evaluation set and file systems' outputs are created from
 * the files the launcher read; translator systems translate the sources first (one chunk per
 * segment through {@link TranslateChunks}, so local models and API backends work as in {@code
 * translate}); then {@link EvaluateTranslations} scores every system. No domain logic lives here.
 */
final class EvaluatePipeline {
  /** Where the run leaves what the launcher reads back (removed afterwards). */
  static final String TEMP = "_evaluate/";

  static final String SCORES = TEMP + "scores";
  static final String TRANSLATIONS = TEMP + "translations";

  private EvaluatePipeline() {}

  /** {@code output/_evaluate/…} for {@link #SCORES} or {@link #TRANSLATIONS}. */
  private static String inTemp(String output, String name) {
    return OutputLayout.EVALUATE.folder(output, "_evaluate") + name.substring(TEMP.length());
  }

  static void build(
      Pipeline pipeline,
      String output,
      List<String> sources,
      List<String> references,
      List<EvaluationSystem> systems) {
    List<EvaluationSegment> segments = new ArrayList<>(sources.size());
    for (int i = 0; i < sources.size(); i++) {
      segments.add(EvaluationSegment.of(i, sources.get(i), references.get(i)));
    }
    List<SystemOutput> fileOutputs = new ArrayList<>();
    List<BackendSpec> backends = new ArrayList<>();
    Map<String, String> systemOfLabel = new HashMap<>();
    List<String> names = new ArrayList<>();
    for (EvaluationSystem system : systems) {
      names.add(system.name());
      if (system.isTranslator()) {
        backends.add(system.backend());
        systemOfLabel.put(system.backend().label(), system.name());
      } else {
        List<String> translations = system.translations();
        for (int i = 0; i < translations.size(); i++) {
          fileOutputs.add(SystemOutput.of(system.name(), i, translations.get(i)));
        }
      }
    }

    PCollectionList<SystemOutput> outputs =
        PCollectionList.of(pipeline.apply("FileSystems",
            Create.of(fileOutputs).withCoder(new EvaluationCoders.SystemOutputCoder())));
    if (!backends.isEmpty()) {
      List<Chunk> chunks = EvaluateTranslations.sourceChunks(sources);
      PCollectionTuple translated =
          pipeline
              .apply("Sources", Create.of(chunks).withCoder(new ModelCoders.ChunkCoder()))
              .apply("Translate", TranslateChunks.with(backends).withShuffleBuckets(16));
      PCollection<SystemOutput> translatorOutputs =
          PCollectionList.of(translated.get(TranslateChunks.TRANSLATIONS))
              .and(translated.get(TranslateChunks.FAILURES))
              .apply("AllTranslations", Flatten.pCollections())
              .apply("AsSystemOutputs", ParDo.of(new AsSystemOutputFn(systemOfLabel)))
              .setCoder(new EvaluationCoders.SystemOutputCoder());
      outputs = outputs.and(translatorOutputs);
      translatorOutputs
          .apply("TranslationLines", MapElements.into(TypeDescriptors.strings()).via(
              (SystemOutput o) -> {
                ObjectNode node = RecordJson.MAPPER.createObjectNode();
                node.put("system", o.system());
                node.put("index", o.index());
                node.put("hypothesis", o.hypothesis());
                return RecordJson.print(node);
              }))
          .apply("WriteTranslations",
              TextIO.write().to(inTemp(output, TRANSLATIONS)).withSuffix(".jsonl").withoutSharding());
    }

    PCollectionTuple evaluated =
        PCollectionTuple.of(EvaluateTranslations.SEGMENTS, pipeline.apply("Segments",
                Create.of(segments).withCoder(new EvaluationCoders.SegmentCoder())))
            .and(EvaluateTranslations.OUTPUTS,
                outputs.apply("AllOutputs", Flatten.pCollections()))
            .apply("Evaluate", EvaluateTranslations.ofSystems(names));

    evaluated
        .get(EvaluateTranslations.SCORES)
        .apply("ScoreLines", MapElements.into(TypeDescriptors.strings()).via(
            (SystemScores s) -> {
              ObjectNode node = RecordJson.MAPPER.createObjectNode();
              node.put("system", s.system());
              node.setAll(s.toJson());
              return RecordJson.print(node);
            }))
        .apply("WriteScores",
            TextIO.write().to(inTemp(output, SCORES)).withSuffix(".jsonl").withoutSharding());
    evaluated
        .get(EvaluateTranslations.DEAD_LETTERS)
        .apply("DeadLetterLines",
            MapElements.into(TypeDescriptors.strings()).via(OutputRecords::deadLetter))
        .apply("WriteDeadLetters",
            TextIO.write().to(OutputLayout.EVALUATE.folder(output, "dead_letter") + "dead_letter")
                .withSuffix(".jsonl")
                .withoutSharding());
  }

  /** A translator's first candidate for a segment (or its failure) as that system's output. */
  private static final class AsSystemOutputFn extends DoFn<ChunkTranslation, SystemOutput> {
    private final Map<String, String> systemOfLabel;

    AsSystemOutputFn(Map<String, String> systemOfLabel) {
      this.systemOfLabel = new HashMap<>(systemOfLabel);
    }

    @ProcessElement
    public void process(@Element ChunkTranslation t, OutputReceiver<SystemOutput> out) {
      if (t.candidate() != 0) {
        return;
      }
      String system = systemOfLabel.get(t.backend());
      long index = Long.parseLong(t.recordId().substring(t.recordId().lastIndexOf(' ') + 1)) - 1;
      out.output(t.failed()
          ? SystemOutput.failed(system, index, t.error())
          : SystemOutput.of(system, index, t.text()));
    }
  }
}
