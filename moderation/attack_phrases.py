"""Phrasings of attacks that need no insult word: threats, wishes of harm, dismissals.

"Go cry somewhere else", "I've got your address", "do everyone a favour and don't wake up":
a word-level classifier scores these near zero. Each pattern reads the folded text
(normalize.fold: lower case, apostrophes dropped, evasive spellings undone) with quoted
words taken out, so quoting a rule or recounting what someone said does not fire.
"""

from __future__ import annotations

from moderation import linear_re

_YOU = r"(?:you|u|ya|youd|youll|youre|yourself)"
_YOUR = r"(?:your|ur)"

THREATS = linear_re.compile(
    rf"\b(?:ill|i will|we will|well|im going to|im gonna|gonna|going to) (?:\w+ )?"
    rf"(?:find|hurt|follow|kill|come for|make|beat|punch|smash|stab|get) {_YOU}\b"
    rf"|\b(?:going to|gonna|ill|i will) (?:beat|kick|knock|smash) [^.!?]{{0,25}}\bout of {_YOU}\b"
    rf"|\b(?:i|we|ive|weve|i have|we have) (?:know|found|got|seen|have|traced) "
    rf"(?:where {_YOU} live|{_YOUR} (?:address|street|house|ip|real name|workplace|employer|"
    rf"kids|photos|school|number))"
    rf"|\bwatch {_YOUR} back\b|\bcoming for {_YOU}\b|\bbe a shame if\b"
    rf"|\b(?:post|share|leak|send|sending|tell|posted|telling|show) (?:\w+ ){{0,3}}{_YOUR} "
    rf"(?:real name|address|photos|pics|ip|deadname|family|employer|boss|sponsor|"
    rf"probation officer|kids|wife|husband)"
    rf"|\bknow {_YOUR} deadname\b|\bor (?:they|it) go(?:es)? public\b"
    rf"|\b(?:outside|near|at) (?:the |your |ur )?\w+ where {_YOUR}\b"
    rf"|\bfollow {_YOU} home\b|\bteach {_YOU} a lesson\b|\bfind out where {_YOU} live\b"
    rf"|\bmake sure (?:everyone|everybody|all)\b[^.!?]{{0,30}}\b{_YOUR}\b"
    rf"|\b(?:youll|you will|youre going to) (?:regret|be sorry|pay)\b|\bor else\b"
    rf"|\bmake {_YOUR} life (?:a )?(?:living )?(?:hell|miserable)\b|\bwatch yourself\b"
    rf"|\bwont see (?:it|me) coming\b|\b(?:im|were) watching {_YOU}\b"
    rf"|\bknow where {_YOU} (?:live|work|sleep|go)\b|\bone eye open\b"
    rf"|\b(?:expose|dox|doxx|out) {_YOU}\b|\b(?:tell|show|send) (?:everyone|everybody|the whole)"
)

# A promise to do something to someone: a threat when what is promised is negative, or
# reaches into their life off the forum (insults._promised_harm).
PROMISE = linear_re.compile(
    rf"\b(?:ill|i will|im going to|im gonna|gonna|well|we will|were going to|i swear ill) "
    rf"(?P<promised>(?:\w+ ){{0,4}}?\w+ (?:{_YOU}|{_YOUR})\b[^.!?,]{{0,40}})"
)
OFF_FORUM = linear_re.compile(
    rf"\b{_YOUR} (?:real name|address|street|house|home|work|job|workplace|employer|boss|"
    rf"family|kids|children|wife|husband|partner|parents|mum|mom|dad|school|church|doctor|"
    rf"sponsor|therapist|secrets?|past|history|diagnosis|records|photos|pics|number|ip)\b"
)

HARM = linear_re.compile(
    rf"\b(?:kill|drown|hang|shoot|off) (?:yo)?urself\b|\bkys\b"
    rf"|\bif {_YOU} (?:got|get|were) (?:hit|run over|killed|hurt)\b"
    rf"|\b(?:should|deserve to|ought to) (?:just )?(?:die|rot|burn|suffer|be shot)\b"
    rf"|\bdeserve (?:every bit of |all )?(?:the )?(?:pain|suffering)\b"
    rf"|\b(?:and|just|please) (?:dont|never) wake up\b|\bjump already\b|\btry the rope\b"
    rf"|\bfrom a (?:tall )?(?:building|bridge)\b|\bis to not be here\b"
    rf"|\bbetter (?:off )?without {_YOU}\b|\bstop taking {_YOUR} meds\b"
    rf"|\bdrop dead\b|\b(?:nobody|no one|noone) (?:would|will) miss {_YOU}\b"
    rf"|\bwhy dont {_YOU} (?:just )?(?:disappear|die|leave|go away)\b"
    rf"|\b(?:id|i would|we would|wed|everyone would) (?:laugh|celebrate|cheer|dance|"
    rf"throw a party|be (?:glad|happy|relieved|thrilled)) (?:if|when) {_YOU}\b"
    rf"|\bdo (?:us|everyone|everybody|the world) a favou?r\b"
    rf"|\b(?:nobody|no one|noone) (?:would|will) (?:care|notice|cry) (?:if|when) {_YOU}\b"
    rf"|\bworld (?:would be|is) better\b|\b{_YOU} (?:should|ought to) (?:just )?(?:die|"
    rf"disappear|end it|give up|relapse|kill|overdose|jump)\b"
    rf"|\bgo (?:die|jump|overdose|relapse|starve)\b|\bbetter off dead\b"
)

# A wish of harm unless denied ("I hope you don't suffer"; see DENIAL).
HOPED_HARM = linear_re.compile(
    rf"\b(?:hope|wish|pray)(?:s|d)? (?:that )?(?:{_YOU}|{_YOUR}|he|she|they|the)\b"
    rf"[^.!?]{{0,40}}?\b(?:die|dies|died|dead|rot|burn|suffer|hit by|overdose|overdosed|"
    rf"get worse|gets worse|(?:get|gets|catch) (?:cancer|the same disease)|taken {_YOU}|"
    rf"took {_YOU}|end up (?:dead|back|alone|in the gutter)|never wake|choke|drown|starve|"
    rf"killed|finishes what|(?:depression|cancer|illness|addiction|disease) wins)"
)

# A wish for someone: harm when its words are negative (insults._ill_wish).
WISH = linear_re.compile(
    rf"\b(?:hope|wish|pray)(?:s|d)? (?:that )?(?:{_YOU}|{_YOUR})\b(?P<wished>[^.!?,]{{0,50}})"
)

DISMISSALS = linear_re.compile(
    rf"\b(?:go|just) (?:cry|whine|complain|away|die)\b|\bcry me a river\b"
    rf"|\b(?:nobody|no one|none of us|noone) (?:here |in this \w+ )?(?:cares?|asked|wants|is "
    rf"impressed)\b"
    rf"|\bshut (?:the \w+ )?up\b|\bget (?:a grip|lost|over (?:it|yourself))\b"
    rf"|\b(?:stop|quit) (?:posting|whining|milking|crying|moaning|clogging|trauma-dumping|"
    rf"bringing|fishing|making it)\b"
    rf"|\b(?:just|already|and) move on\b|\bmove on already\b|\blog off\b"
    rf"|\bleave the (?:group|circle|forum|chat)\b"
    rf"|\b(?:pity party|sob story|boo hoo|waste (?:our|my) time|change the record)\b"
    rf"|\bgo back to where\b|\bwhats wrong with {_YOU}\b|\b(?:whats|what is) {_YOUR} problem\b"
    rf"|\b(?:fuck|screw) (?:{_YOU}|off)\b"
    rf"|\bgo bother\b|\bgold star\b|\bpass the violin\b|\bget a new hobby\b"
    rf"|\b(?:sick|tired|bored) of {_YOUR}\b|\bnot special\b|\byoull get over it\b"
    rf"|(?:^|[.!?] )(?:grow up|get over|piss off|get lost|go away|keep (?:crying|whining|"
    rf"moaning|complaining)|take {_YOUR} (?:drama|whining|sob|pity|misery|crap|shit)|"
    rf"(?:stop|quit) (?:playing|being|acting|whining|crying|complaining|moaning|"
    rf"attention))\b"
    rf"|\b(?:nobody|no one|noone|everyone|everybody) (?:here |in this \w+ )?"
    rf"(?:likes|wants|hates|is sick of|is tired of) {_YOU}\b"
    rf"|\btake the hint\b|\bplaying the victim\b|\bprofessional victim\b"
    rf"|\bstop pretending\b|\bpity (?:posts?|party|parties)\b"
)

HATRED = linear_re.compile(
    rf"\b(?:i|we|everyone|everybody|all of us) (?:\w+ )?(?:hate|despise|loathe|cant stand) "
    rf"(?:@[\w.-]+|{_YOU}|him|her|them|all of {_YOU}|how (?:he|she|they|you))\b"
)

# Mockery reads the text with its quotes: scare quotes are how it sneers ("your 'trauma'").
MOCKERY = linear_re.compile(
    r"\b(?:lol|lmao|rofl|haha|ha|aww|ooh|yawn|sooo)\b[^.!?]{0,60}\b"
    r"(?:trauma|grief|grieving|sober|relapse|depression|panic|pain|ptsd|chemo|death|died|"
    r"crying|clean|flashbacks|widow|disorder|fatigue|anniversary)"
    r"|\b(?:your|ur|his|her) ['\"]?[\w-]+(?: [\w-]+)?['\"]? (?:is|are|isnt|reads) "
    r"(?:just |honestly |literally |like )?(?:boring|annoying|a joke|laziness|funny|"
    r"the funniest|comedy|a comedy)"
    r"|\bcomedy gold\b|\b(?:\w+ )?is crying again\b|\boscar-worthy\b|\bfor likes\b"
    r"|\bbetting pool\b|\bmust be nice\b|\bhow cute\b"
    # Scare quotes around someone's pain: "your 'panic attacks'", "her 'trauma'".
    r"|\b(?:your|ur|his|her|their) ['\"](?:[\w-]+ )?(?:trauma|grief|depression|anxiety|panic|"
    r"pain|ptsd|illness|disability|diagnosis|condition|struggles?|bad day|feelings)\w*['\"]"
    r"|\bpoor (?:little|baby|thing)\b|\bcry (?:more|harder|about it)\b|\bso brave\b"
    r"|\bhere we go again\b|\bnot this again\b|\bwhat a (?:joke|drama queen)\b"
    r"|\b(?:fake|so-called|pretend|made-up|imaginary) (?:depression|grief|trauma|illness|pain|"
    r"anxiety|ptsd|disability|diagnosis|tears|crisis)"
)

# Someone's pain laughed at in one sentence: "your grief is hilarious", "his relapse lol".
PAIN_MOCKED = linear_re.compile(
    r"\b(?:your|ur|his|her|their|\w+s) (?:\w+ )?(?:trauma|grief|grieving|depression|anxiety|"
    r"panic attacks?|ptsd|relapses?|sobriety|recovery|chemo|illness|disability|diagnosis|"
    r"eating disorder|miscarriage|self-harm|flashbacks|breakdown|meltdown|struggles?|"
    r"therapy|meds|pain|loss|tears)\b[^.!?]{0,50}\b(?:lol|lmao|rofl|haha|hilarious|funny|"
    r"cute|adorable|comedy|joke|laughable|entertaining|pathetic|cringe|dramatic|pity)\b"
    r"|\b(?:lol|lmao|rofl|haha|hilarious|laughing at|cringe)\b[^.!?]{0,50}\b(?:your|ur|his|her"
    r"|their) (?:\w+ )?(?:trauma|grief|depression|anxiety|relapse|sobriety|recovery|illness|"
    r"disability|diagnosis|flashbacks|breakdown|meltdown|struggles?|therapy|meds|pain|loss)\b"
)

# Someone else's words, recounted by the person they were aimed at.
REPORTED = linear_re.compile(
    r"\b(?:call|calls|called|calling|told|tell|tells|telling|said|says|say|scream|screamed|"
    r"screams|yell|yelled|shout|shouted|messaged|texted|wrote) (?:me|that i|i was|me i|me that)"
    r"\b|\b(?:he|she|they|hed|shed|theyd|dad|mum|mom|ex|father|mother) (?:would |used to |"
    r"\w+ )?(?:scream|yell|shout|say|said|call|called)\w* ['\"]"
    r"|\bvoice in my head\b|\bi (?:only )?wrote that\b|\bquoting\b|\bused to (?:say|call)\b"
)

# "I hope you don't suffer": a denied harm is a kind wish.
DENIAL = linear_re.compile(r"\b(?:dont|doesnt|didnt|never|not|wont|no longer|stop)\b")

_QUOTED = linear_re.compile(
    r"'[^']{2,}'|\"[^\"]{2,}\"|\u201c[^\u201d]{2,}\u201d|\u2018[^\u2019]{2,}\u2019"
)


def unquoted(folded: str) -> str:
    """The folded text with quoted passages blanked, unless the quote is the whole text."""
    stripped = _QUOTED.sub(" ", folded)
    # An attack wrapped in quotes from end to end is still an attack.
    return stripped if len(stripped.split()) >= 3 else folded
