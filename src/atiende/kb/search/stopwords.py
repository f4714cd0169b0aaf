"""Words too common to search by, per language (Snowball's lists, trimmed).

They are left out of the index and of queries: a customer's question ("¿cómo puedo cambiar
mi contraseña?") then looks only for the words that tell articles apart, and no posting list
holds nearly every document.
"""

from __future__ import annotations

SPANISH = frozenset(
    """
    a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
    durante e el ella ellas ellos en entre era erais eran eras eres es esa esas ese eso esos
    esta estaba estado estais estamos estan estar estas este esto estos estoy fue fueron fui
    ha habia han has hasta hay haya he la las le les lo los me mi mis mucho muy nada ni no
    nos nosotros o os otra otras otro otros para pero poco por porque que quien quienes se
    sea ser si sin sobre su sus tambien te teneis tengo ti tu tus un una uno unos usted
    ustedes vosotros y ya yo puedo puede pueden hago hacer quiero como cuanto cuantos
    """.split()  # noqa: SIM905  (a word list reads better as text)
)

ENGLISH = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves get want need
    """.split()  # noqa: SIM905  (a word list reads better as text)
)

STOPWORDS: dict[str, frozenset[str]] = {"es": SPANISH, "en": ENGLISH}
