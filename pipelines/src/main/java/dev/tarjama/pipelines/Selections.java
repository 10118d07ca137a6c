package dev.tarjama.pipelines;

import dev.tarjama.transforms.select.Selection;
import java.util.Arrays;

/** The Selection that {@link SelectOptions} describe. */
final class Selections {
  private Selections() {}

  /**
   * @throws IllegalArgumentException naming the option whose value does not parse, or the options
   *     that do not fit together
   */
  static Selection from(SelectOptions o) {
    Selection s = Selection.none()
        .withSplitQuotas(o.getQuota())
        .withModeQuotas(o.getThink(), o.getNoThink())
        .withStratify(o.getStratify())
        .withTotal(o.getSelectTotal())
        .withCategoryField(o.getCategoryField())
        .withCategories(o.getCategories())
        .withSeed(o.getSeed());
    if (o.getKeepLanguage() != null && !o.getKeepLanguage().isBlank()) {
      s = s.withKeepLanguages(Arrays.asList(o.getKeepLanguage().split(",")), o.getLangidModel())
          .withMinLanguageProbability(o.getMinLanguageProbability());
    }
    if (o.getDropCodeSamples()) {
      s = s.withoutCodeSamples(o.getMaxCodeShare());
    }
    return s.validated();
  }
}
