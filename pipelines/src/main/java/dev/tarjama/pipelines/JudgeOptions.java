package dev.tarjama.pipelines;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code tarjama judge}; every Beam runner option works next to them. */
public interface JudgeOptions extends PipelineOptions, ClusterChecks.ClusterOptions {
  @Description("Parallel corpus, a file or glob: TSV (en<TAB>ar…) or JSON Lines (OPUS-100 {\"translation\":{\"ar\",\"en\"}} or top-level en/ar); local or gs://")
  String getInput();

  void setInput(String value);

  @Description("Moses-style corpus: the English file (line-aligned with --input-ar)")
  String getInputEn();

  void setInputEn(String value);

  @Description("Moses-style corpus: the Arabic file (line-aligned with --input-en)")
  String getInputAr();

  void setInputAr(String value);

  @Description("tsv, jsonl, moses, or auto: moses when --input-en/--input-ar are given, jsonl for .jsonl(.gz) files, else tsv")
  @Default.String("auto")
  String getFormat();

  void setFormat(String value);

  @Description("TSV columns in order: en, ar, id or - (skipped); later columns are ignored")
  @Default.String("en,ar")
  String getColumns();

  void setColumns(String value);

  @Description("JSONL: the English field, a JSON Pointer (/translation/en) or a top-level name; default translation.en, else en")
  String getEnField();

  void setEnField(String value);

  @Description("JSONL: the Arabic field, a JSON Pointer or a top-level name; default translation.ar, else ar")
  String getArField();

  void setArField(String value);

  @Description("JSONL: a field whose value becomes the pair id (default: file and line)")
  String getIdField();

  void setIdField(String value);

  @Description("The judge: one OpenAI-compatible backend, name=…,url=…,model=…[,kind=openai-completions,key-env=…,concurrency=…,retries=…,temperature=…,max-tokens=…]")
  List<String> getBackend();

  void setBackend(List<String> value);

  @Description("The judge prompt: strict (shipped), hala (Hala's own), file:PATH, or a template with {en} and {ar}")
  @Default.String("strict")
  String getJudgePrompt();

  void setJudgePrompt(String value);

  @Description("Output directory: accepted/, rejected/, undecided/, dead_letter/, report.json, report.md")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  // The same getter as TranslateOptions' (Beam keeps one per name in a JVM); here the default
  // store is OUTPUT/_cache/judgements.db.
  @Description("Translation cache: sqlite:PATH (one machine), redis://HOST:PORT[/DB][?password-env=VAR] (a cluster) or none; default: an embedded store in OUTPUT/_cache/ (none when OUTPUT is not a local path)")
  @Default.String("")
  String getCache();

  void setCache(String value);

  @Description("Keys to spread pairs over before the calls; 0 = one per pair (on the DirectRunner, 0 means 16)")
  @Default.Integer(0)
  int getShuffleBuckets();

  void setShuffleBuckets(int value);

  @Description("Files per output folder; 0 = the runner decides (on the DirectRunner, 0 means 1)")
  @Default.Integer(0)
  int getNumShards();

  void setNumShards(int value);
}
