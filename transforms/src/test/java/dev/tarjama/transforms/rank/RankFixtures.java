package dev.tarjama.transforms.rank;

import dev.tarjama.transforms.domain.Candidate;

/** Scored candidates for the ranking tests (scores are given: scoring has its own tests). */
final class RankFixtures {
  static final String ORIGINAL = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  /** The record {@link #ORIGINAL} as read, under {@code id}. */
  static dev.tarjama.transforms.domain.Conversation source(String id) {
    return new dev.tarjama.transforms.domain.Conversation(id, "chat", "messages", ORIGINAL,
        java.util.List.of(new dev.tarjama.transforms.domain.TextField(
            "/messages/0/content", "user", "text", "Hi")));
  }

  private RankFixtures() {}

  static Candidate valid(String record, String split, String backend, int index, double lr,
      double scr) {
    return scored(Candidate.unscored(record, split, backend, index,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"مرحبا " + backend + index + "\"}]}",
        true, "", "Hi", "مرحبا", 3, 4), lr, scr);
  }

  static Candidate invalid(String record, String split, String backend, int index, double lr,
      double scr, String reason) {
    return scored(Candidate.unscored(record, split, backend, index, "{}", false, reason, "Hi",
        "مرحبا", 3, 4), lr, scr);
  }

  /** What reassembly emits when a candidate's chunks could not be translated. */
  static Candidate untranslated(String record, String split, String backend, int index,
      String reason) {
    return scored(Candidate.unscored(record, split, backend, index, ORIGINAL, false, reason, "Hi",
        "", 0, 0), 0.0, 1.0);
  }

  private static Candidate scored(Candidate c, double lr, double scr) {
    Candidate m = c.withMetrics(lr, scr, false);
    return m.withRankScore(RankingPolicy.defaults().rankScore(m));
  }
}
