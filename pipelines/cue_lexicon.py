"""The cue lexicon of reported speech (pipelines/reported_speech.py): reporting verbs and what
must follow each, participles, the words skipped before a cue and the clause boundaries."""

from __future__ import annotations

# verb -> what must follow it within a few tokens: "" (a bare clause will do) or the words allowed
SAY = ""
THAT = ("that", ":", "“", '"')
ASK = ("whether", "if", "why", "how", "what", "when", "for")
VERBS: dict[str, tuple[str, ...] | str] = {
    **{v: SAY for v in ("said", "says", "say", "argued", "argues", "insisted", "insists", "claimed", "claims",
                        "contended", "contends", "maintained", "maintains")},
    **{v: THAT + ("to",) for v in ("promised", "promises", "vowed", "vows", "pledged", "pledges", "committed")},
    **{v: THAT for v in ("told", "tells", "wrote", "writes", "posted", "added", "adds", "noted", "notes",
                         "stated", "states", "acknowledged", "acknowledges", "conceded", "admitted", "explained",
                         "predicted", "predicts", "suggested", "suggests", "recalled", "stressed", "stresses",
                         "emphasized", "emphasised", "declared", "replied", "responded", "boasted", "cautioned",
                         "testified", "announced", "agreed", "complained", "countered", "repeated", "reiterated",
                         "confirmed", "assured", "believes", "warned", "warns", "tweeted", "tweets", "answered",
                         "answers", "retorted", "denied", "denies", "hinted", "signalled", "signaled", "revealed",
                         "indicated", "lamented", "concluded", "estimated", "reasoned", "speculated", "alleged",
                         "alleges", "objected", "quipped", "joked", "mused", "recounted", "wrote back")},
    **{v: ASK + ("to",) for v in ("asked", "asks")},  # "asked whether ...", "asked Newsom to veto ..."
    "questioned": ("whether", "if", "why", "how", "what", "when", "who"),
}
VERBS["warned"] = VERBS["warns"] = VERBS["cautioned"] = THAT + ("of", "against", "about")
for _verb_form in ("described", "describes", "portrayed", "presented", "pitched", "characterised", "characterized",
                   "branded", "dismissed", "criticised", "criticized", "criticises", "criticizes", "defended",
                   "defends"):
    VERBS[_verb_form] = ("as", "for")  # "criticised the package as deregulation": an evaluation with content
VERBS["called"] = ("a", "an", "the")  # "called the summit a missed opportunity" (object first; "called for": CALL)
for _verb_form in ("stressed", "stresses", "emphasized", "emphasised", "underscored", "highlighted"):
    VERBS[_verb_form] = THAT + ("importance", "need")
for _verb_form in ("observed", "observes", "remarked", "remarks", "asserted", "asserts", "affirmed", "reaffirmed",
                   "mentioned", "underscores", "underscore", "emphasizes", "emphasises"):
    VERBS[_verb_form] = THAT + (("importance", "need") if _verb_form.startswith(("under", "emph", "affirm", "reaffirm"))
                                else ())
for _verb_form in ("affirmed", "reaffirmed", "affirms", "reaffirms"):  # "affirmed the enduring partnership": an
    VERBS[_verb_form] = THAT + ("importance", "need", "the", "their", "its", "our")  # assertion, its object the claim
for _verb_form in ("noted", "notes"):  # "both leaders noted the need to ...", "noted the progress of ..."
    VERBS[_verb_form] = THAT + ("importance", "need", "progress")
for _verb_form in ("welcomed", "welcomes"):  # readouts: "The leaders welcomed the progress on ..." (a stated position)
    VERBS[_verb_form] = ("the", "their", "its", "progress", "efforts", "continued", "ongoing", "plans", "steps")
for _verb_form in ("proposed", "proposes"):
    VERBS[_verb_form] = THAT + ("a", "an", "to")  # "proposed a new agency that would license ..."
for _verb_form in ("praised", "praises", "hailed", "hails"):
    VERBS[_verb_form] = ("as",)  # "hailed the accord as a breakthrough": an evaluation (not "praised the summit")
for _verb_form in ("accused", "accuses"):
    VERBS[_verb_form] = ("of",)  # "accused the company of misleading users"
for _verb_form in ("argue", "insist", "claim", "contend", "maintain"):  # "Toner and McCauley argue ...", "went
    VERBS[_verb_form] = SAY                                               # on to argue ..." (base forms)
for _verb_form in ("warn", "caution"):
    VERBS[_verb_form] = THAT + ("of", "against", "about")
for _verb_form in ("note", "add", "explain", "stress", "emphasize", "emphasise", "suggest", "predict", "acknowledge",
                   "concede", "admit", "assert", "observe", "recall", "write", "declare", "reply", "respond"):
    VERBS[_verb_form] = THAT
BASE_FORMS = {"say", "ask", "underscore", "argue", "insist", "claim", "contend", "maintain", "warn", "caution", "note",
              "add", "explain", "stress", "emphasize", "emphasise", "suggest", "predict", "acknowledge", "concede",
              "admit", "assert", "observe", "recall", "write", "declare", "reply", "respond"}
# "went on to say", "took to X to argue", "used the hearing to warn": the speech act happened, and its
# speaker is the subject of the verb before "to" ("is expected to say", "wants to argue": not said)
CATENATIVES = {"went", "goes", "proceeded", "proceeds", "continued", "continues", "took", "takes", "used", "uses",
               "seized"}
for _verb_form in ("clarified", "disclosed", "informed", "reminded", "clarifies", "reminds", "informs"):
    VERBS[_verb_form] = THAT  # "reminded companies that ...", "later clarified that ..."
for _verb_form in ("expressed", "voiced", "expresses", "voices"):  # "expressed concern that ...": a stated position
    VERBS[_verb_form] = ("concern", "concerns", "confidence", "support", "hope", "optimism", "scepticism", "skepticism",
                         "doubt", "doubts", "frustration", "opposition", "alarm", "dismay", "regret", "disappointment")
VERBS["believes"] = ()  # a mental state, never a cue on its own ("he said he believes ...")
URGE = ("urged", "urges", "urging", "pressed", "encouraged", "encourages", "implored", "exhorted")
PARTICIPLES = {"comparing", "saying", "arguing", "adding", "warning", "noting", "urging", "suggesting", "insisting",
               "boasting", "claiming", "explaining", "predicting", "stating", "telling", "writing",
               "calling", "acknowledging", "stressing", "cautioning", "contending", "declaring",
               "emphasizing", "emphasising", "asserting", "observing", "underscoring", "asking", "accusing",
               "describing", "encouraging", "replying", "responding", "answering", "questioning", "tweeting",
               "denying", "recalling", "pledging", "promising", "vowing", "proposing", "praising"}
PARTICIPLE_NEEDS: dict[str, tuple[str, ...]] = {  # what must follow a participle other than "that"/":"/a quotation
    "urging": ("to",), "encouraging": ("to",), "asking": ASK + ("to",), "questioning": ASK, "accusing": ("of",),
    "describing": ("as",), "praising": ("as",), "pledging": THAT + ("to",), "promising": THAT + ("to",),
    "vowing": THAT + ("to",), "proposing": THAT + ("a", "an", "to")}
SKIP_BEFORE = {"has", "have", "had", "also", "only", "later", "previously", "repeatedly", "already", "since", "long",
               "once", "then", "recently", "publicly", "privately", "again", "further", "earlier", "first",
               "frequently", "often", "been", "would", "will", "could", "may", "might", "explicitly", "separately",
               "openly", "directly", "simply", "even", "now", "still", "just", "personally", "both", "too",
               "reportedly", "subsequently", "quickly", "flatly", "loudly", "specifically", "herself", "himself",
               "likewise", "similarly", "firmly", "strongly", "bluntly", "sharply", "forcefully", "initially"}
MODALS = {"will", "would", "could", "may", "might"}
SUBJECT_PRONOUNS = {"he", "she"}
CLAUSE_OPENERS = {"and", "but", "while", "because", "so", "although", "though", "whereas", "it", "they", "we",
                  "there", "this", "that", "he", "she", "i"}
NEGATIONS = {"not", "never", "n't", "no", "declined", "refused", "failed", "neither", "nor"}
PASSIVE = {"was", "were", "is", "are", "be", "being", "been"}
BOUNDARY_WORDS = {"and", "but", "or", "that", "while", "as", "when", "because", "after", "before", "where",
                  "which", "if", "though", "although", "since", "so", "who", "whom", "whose", "than", "then"}
BOUNDARY_MARKS = {".", ",", ";", ":", "!", "?", "(", ")", "“", "”", "\"", "—", "–", "[", "]"}
EMPTY_CONTENT = {"nothing", "little", "goodbye", "hello", "thanks"}
OBJECT_VERBS = {  # verbs whose object may come before the words their cue needs ("told senators that")
    "described", "describes", "portrayed", "presented", "pitched", "characterised", "characterized", "branded",
    "dismissed", "criticised", "criticized", "criticises", "criticizes", "called", "stressed", "stresses",
    "emphasized", "emphasised", "underscored", "highlighted", "told", "tells", "assured", "promised", "warned",
    "warns", "reminded", "asked", "asks", "repeated", "reiterated", "shot", "fired", "hit", "urged", "urges",
    "defended", "defends", "praised", "praises", "hailed", "hails", "accused", "accuses", "accusing", "asking",
    "describing", "praising", "encouraged", "encourages", "encouraging", "implored", "exhorted", "affirmed",
    "reaffirmed", "welcomed", "welcomes", "informed", "informs", "reminds", "cautioned", "telling",
    "on"}  # "on": "called on Congress to act" (the cue's last token)
LEAD_INS = {"in", "on", "at", "during", "last", "this", "after", "before", "earlier", "yesterday", "today",
            "to", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "via", "through"}


CUE_PHRASES = {
    "VERB": sorted((set(VERBS) | PARTICIPLES | set(URGE)) - {"calling"}),
    "CALL": [f"{v} {p}" for v in ("call", "calls", "called", "calling") for p in ("for", "on")],
    "BACK": ["shot back", "fired back", "hit back", "pointed out", "points out"],
    "NEED": [f"{v} about the {w}" for v in ("talked", "spoke", "talking", "speaking", "talks", "speaks")
             for w in ("need", "importance")] + ["floated the idea", "floated the prospect"],
    "ACCORDING": ["according to"],
    "VIEW": [f"in {p} {w}" for p in ("his", "her") for w in ("view", "words")],
}

TIME_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
              "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
              "week", "weekend", "month", "year", "day", "morning", "afternoon", "evening", "night", "today",
              "yesterday", "tonight", "earlier", "later", "recently"}
MUST_HAVE_OBJECT = {"defended", "defends", "praised", "praises", "hailed", "hails", "accused", "accuses", "accusing",
                    "describing", "praising", "called", "described", "describes", "portrayed", "presented",
                    "pitched", "characterised", "characterized", "branded", "dismissed", "criticised", "criticized",
                    "criticises", "criticizes"}
SAY_AFTER = {"said", "says", "added", "adds", "argued", "argues", "warned", "warns", "wrote", "writes", "noted",
             "notes", "insisted", "explained", "told", "stated", "claimed", "predicted", "cautioned"}
DOCUMENT_NOUNS = {"statement", "letter", "post", "memo", "op-ed", "essay", "report", "video", "tweet", "message",
                  "filing", "complaint", "note", "speech", "paper", "interview", "podcast", "blog", "email", "thread",
                  "testimony", "submission", "comments", "remarks", "address"}
PUBLISHING = {"published", "issued", "released", "posted", "wrote", "sent", "delivered", "gave", "shared", "put",
              "made", "publishes", "issues", "releases", "posts", "writes", "sends", "shares"}
FILINGS = {"lawsuit", "suit", "complaint", "filing", "motion", "brief", "petition"}  # these speak themselves
SPEECH_PARTICIPLES = {"saying", "asking", "arguing", "urging", "warning", "calling", "claiming", "insisting",
                      "accusing", "stating", "declaring", "telling"}
SUBORDINATORS = {"because", "if", "although", "though", "unless", "since", "once", "while", "whereas"}
NO_CLAUSE = (BOUNDARY_MARKS - {"—", "–"}) | {"and", "but", "or", "when", "because", "many", "repeatedly",
                                           "publicly", "himself", "herself", "too", "before", "often", "on", "in", "at",
                                           "during", "yesterday", "today", "earlier", "last", "all", "again"}
