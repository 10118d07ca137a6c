package dev.tarjama.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Source selection options of {@code tarjama translate} (SmolKalam's quotas and ratios, Hala's
 * language and code filters); {@link Selections#from} turns them into a Selection. None set: every
 * record goes on to translation.
 */
public interface SelectOptions extends PipelineOptions {
  @Description("Per-split quotas: SPLIT=N,… (SPLIT may hold * wildcards; first match in order; other splits are not limited)")
  String getQuota();

  void setQuota(String value);

  @Description("At most this many reasoning (think) records, e.g. 50000 (SmolKalam)")
  Long getThink();

  void setThink(Long value);

  @Description("At most this many non-reasoning (no_think) records, e.g. 180000 (SmolKalam)")
  Long getNoThink();

  void setNoThink(Long value);

  @Description("Category ratios that share out each think/no-think quota (or --select-total), e.g. code:science:math=1:1:2; other categories are not selected")
  String getStratify();

  void setStratify(String value);

  @Description("Records the --stratify ratios share out when no --think/--no-think quota is set")
  Long getSelectTotal();

  void setSelectTotal(Long value);

  @Description("The record field (name or JSON Pointer) holding its category; default: its split")
  String getCategoryField();

  void setCategoryField(String value);

  @Description("Maps split names (or category-field values) to categories: PATTERN=CATEGORY,… with * wildcards, e.g. OpenThoughts3*=math")
  String getCategories();

  void setCategories(String value);

  @Description("Keep only records in these languages (fastText codes, comma-separated), e.g. en (Hala kept English only for Tulu 3); needs --langid-model")
  String getKeepLanguage();

  void setKeepLanguage(String value);

  @Description("fastText language-ID model for --keep-language, e.g. ../shared/models/langid/lid.176.ftz")
  String getLangidModel();

  void setLangidModel(String value);

  @Description("A record is dropped for its language only when the model is at least this sure")
  @Default.Double(0.5)
  double getMinLanguageProbability();

  void setMinLanguageProbability(double value);

  @Description("Drop code samples (Hala did for Hermes 3): records whose fenced-code share is above --max-code-share")
  @Default.Boolean(false)
  boolean getDropCodeSamples();

  void setDropCodeSamples(boolean value);

  @Description("With --drop-code-samples: characters in fenced code blocks / non-whitespace characters above which a record is a code sample; 0 = any fenced block")
  @Default.Double(0.0)
  double getMaxCodeShare();

  void setMaxCodeShare(double value);

  @Description("Seed of source selection: which records a quota keeps (a keyed hash of seed and record id)")
  @Default.Long(0)
  long getSeed();

  void setSeed(long value);
}
