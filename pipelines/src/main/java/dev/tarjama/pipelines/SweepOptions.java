package dev.tarjama.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code tarjama sweep}; every Beam runner option works next to them. */
public interface SweepOptions extends PipelineOptions {
  @Description("A finished translate run's output directory (its candidates/ and report.json are read)")
  @Validation.Required
  String getRun();

  void setRun(String value);

  @Description("Where sweep.csv, sweep.md and sweep.svg go; default: RUN/sweep")
  String getOutput();

  void setOutput(String value);

  @Description("min-lr values to try: FROM:TO:STEP (ends included) or a comma list")
  @Default.String("0.60:0.90:0.05")
  String getMinLr();

  void setMinLr(String value);

  @Description("min-scr values to try: FROM:TO:STEP (ends included) or a comma list")
  @Default.String("0.80:0.95:0.05")
  String getMinScr();

  void setMinScr(String value);

  @Description("The policy whose weights and other thresholds the sweep keeps; empty (the default): the run's, from its report.json")
  @Default.String("")
  String getPolicy();

  void setPolicy(String value);
}
