package dev.tarjama.pipelines;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of {@code tarjama translate} (source selection's in {@link SelectOptions}); every Beam
 * runner option works next to them.
 */
public interface TranslateOptions
    extends PipelineOptions, SelectOptions, ClusterChecks.ClusterOptions {
  @Description("Input file or glob: JSON Lines (.jsonl, .jsonl.gz), JSON arrays (.json) or Parquet; local or gs://")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("Output directory: chosen/, candidates/, rejected/, dead_letter/, report.json, report.md")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Record format: auto (detected per record), messages, sharegpt, alpaca or fields")
  @Default.String("auto")
  String getFormat();

  void setFormat(String value);

  @Description("For flat records: which fields to translate and their roles, e.g. question=user,answer=assistant")
  String getFieldMapping();

  void setFieldMapping(String value);

  @Description("A record field whose value becomes the record id (default: file and line)")
  String getIdField();

  void setIdField(String value);

  @Description("The record field that names its split (per-split thresholds and report lines)")
  @Default.String("source")
  String getSplitField();

  void setSplitField(String value);

  @Description("HF tokenizer.json (or its directory) used to count tokens; absent: an estimate of bytes/4")
  String getTokenizer();

  void setTokenizer(String value);

  @Description("Token budget of a chunk (SmolKalam: ~490)")
  @Default.Integer(490)
  int getTokenBudget();

  void setTokenBudget(int value);

  @Description("Chunk by lines instead of tokens: at most this many lines per chunk (SmolKalam found 25 best); 0 = token mode")
  @Default.Integer(0)
  int getChunkLines();

  void setChunkLines(int value);

  @Description("Roles whose text is translated, comma-separated")
  @Default.String("system,user,assistant")
  String getTranslateRoles();

  void setTranslateRoles(String value);

  @Description("Protected span types to hand to the translator instead, comma-separated (e.g. md_emphasis,inline_code)")
  @Default.String("")
  String getTranslateSpanTypes();

  void setTranslateSpanTypes(String value);

  @Description("Translate the reasoning between <think> tags (the tags themselves are always kept)")
  @Default.Boolean(true)
  boolean getTranslateThink();

  void setTranslateThink(boolean value);

  @Description("A translation backend, repeatable: name=…,kind=openai-chat|openai-completions|openai-batch|batch-file,url=…,model=…,prompt=hala|seed-x|<template>,k=…,key-env=…")
  List<String> getBackend();

  void setBackend(List<String> value);

  @Description("Keys to spread chunks over before translation; 0 = one per chunk (runner-native). On the DirectRunner, 0 means 16, so bundles hold many chunks and backend concurrency fills up")
  @Default.Integer(0)
  int getShuffleBuckets();

  void setShuffleBuckets(int value);

  @Description("Stop sending requests once the API backends have cost this much (USD, at their price-in/price-out, from the servers' usage); chunks not sent become dead letters 'budget exhausted'. Per worker JVM on distributed runners. 0 = no limit")
  @Default.Double(0)
  double getMaxCost();

  void setMaxCost(double value);

  @Description("Stop sending requests once the API backends have used this many tokens (prompt + completion); as --max-cost. 0 = no limit")
  @Default.Long(0)
  long getMaxTokens();

  void setMaxTokens(long value);

  @Description("Target script of SCR (ISO 15924)")
  @Default.String("Arab")
  String getTargetScript();

  void setTargetScript(String value);

  @Description("Target language of the quality signals (letters it does not use, language ID), an ISO 639-1 code")
  @Default.String("ar")
  String getTargetLanguage();

  void setTargetLanguage(String value);

  @Description("r0 of LR, the expected target/source length ratio; `tarjama calibrate` measures it from human parallel data")
  @Default.Double(DefaultCalibration.R0)
  double getR0();

  void setR0(double value);

  @Description("Ranking policy: weights and thresholds, global or per split, e.g. min-lr=0.6,min-scr=0.8,code_split:min-scr=0.0")
  @Default.String("")
  String getPolicy();

  void setPolicy(String value);

  @Description("Reward-model directory (model.onnx with input_ids, attention_mask -> logits [batch,1], tokenizer.json, optional reward_config.json): scores every valid candidate; rank_score then weighs the normalized reward (w-reward, 1 unless --policy sets it) and preferences/ is written")
  String getRewardModel();

  void setRewardModel(String value);

  @Description("Where the reward model runs: cpu or cuda (cuda needs the GPU build, mvn -Pgpu; falls back to cpu)")
  @Default.String("cpu")
  String getRewardProvider();

  void setRewardProvider(String value);

  @Description("How rewards are normalized per record before they enter rank_score: logistic (of the reward minus the record's mean: the gap's size survives), zscore (logistic of the z-score) or minmax")
  @Default.String("logistic")
  String getRewardNormalization();

  void setRewardNormalization(String value);

  @Description("Reward-model batch size (pairs per model run)")
  @Default.Integer(32)
  int getRewardBatchSize();

  void setRewardBatchSize(int value);

  @Description("preferences/ pairs a record's best and worst valid candidates when their rank_scores differ by more than this")
  @Default.Double(0.05)
  double getPreferenceMinGap();

  void setPreferenceMinGap(double value);

  @Description("Read, segment, chunk and count tokens, then estimate calls, tokens and cost per backend without translating")
  @Default.Boolean(false)
  boolean getDryRun();

  void setDryRun(boolean value);

  @Description("Quality judge: the name of one of the --backends, or a backend spec of its own (an OpenAI-compatible server); asked per candidate chunk whether the translation is faithful; a rejected chunk fails its candidate with the reason 'meaning'. Cached like translations")
  String getQeJudge();

  void setQeJudge(String value);

  @Description("The quality judge's prompt: faithful (shipped), strict, hala, file:PATH or a template with {en} and {ar}")
  @Default.String("faithful")
  String getQeJudgePrompt();

  void setQeJudgePrompt(String value);

  @Description("Translation cache: sqlite:PATH (one machine), redis://HOST:PORT[/DB][?password-env=VAR] (a cluster) or none; default: an embedded store in OUTPUT/_cache/ (none when OUTPUT is not a local path)")
  @Default.String("")
  String getCache();

  void setCache(String value);

  @Description("Finish an unfinished run in the same --output (after a crash or a kill): completed translations come from the cache, outputs are written anew")
  @Default.Boolean(false)
  boolean getResume();

  void setResume(boolean value);

  @Description("Batch backends (kind=openai-batch): wait for submitted batches to finish (true), or submit and collect what is ready, then exit with code 4 while batches are still running (false; finish later with --resume)")
  @Default.Boolean(true)
  boolean getBatchWait();

  void setBatchWait(boolean value);

  @Description("Batch backends: seconds between two polls of a running batch")
  @Default.Double(30)
  double getBatchPollSeconds();

  void setBatchPollSeconds(double value);

  @Description("Translate identical chunks once per backend and candidate, and copy the translation to every chunk with that text")
  @Default.Boolean(true)
  boolean getDedupe();

  void setDedupe(boolean value);

  @Description("Files per output folder; 0 = the runner decides (on the DirectRunner, 0 means 1: it would otherwise write one file per bundle)")
  @Default.Integer(0)
  int getNumShards();

  void setNumShards(int value);

  @Description("Output files: parquet, jsonl or jsonl.gz; default parquet for a Parquet input, else jsonl")
  String getOutputFormat();

  void setOutputFormat(String value);

  @Description("Print a progress line this often (seconds); 0 = never")
  @Default.Integer(10)
  int getProgressSeconds();

  void setProgressSeconds(int value);

  @Description("For --dry-run: expected output tokens per input token")
  @Default.Double(1.3)
  double getOutputTokenRatio();

  void setOutputTokenRatio(double value);

  @Description("Extra outputs, comma-separated: bilingual = Hala's {id, instr_en, instr_ar, resp_en, resp_ar} tuples (OUT/bilingual/) and two-way translator-training chats (OUT/translator_training/) from chosen single-turn records")
  @Default.String("")
  String getEmit();

  void setEmit(String value);

  @Description("Translate only the first N readable records (in file order, then line or row), for a quick trial; 0 = all")
  @Default.Long(0)
  long getLimit();

  void setLimit(long value);

  @Description("Run into an --output that holds a finished run of another --input (its outputs are replaced)")
  @Default.Boolean(false)
  boolean getOverwrite();

  void setOverwrite(boolean value);
}
