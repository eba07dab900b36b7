"""The reference protocols a practice can install in one click: Asalée's four activities
and two national cooperation protocols (arrêtés of 6 March 2020 for uncomplicated
cystitis in women aged 16 to 65 and for odynophagia in patients aged 6 to 45).

Written in the admin's text format (``umpro.delegation.protocols.text_format``) so that installing
them goes through the same checks as a protocol typed by hand. Thresholds are those a
practice usually starts from; each team adjusts them to its own protocol.
"""

NURSES = ["asalee_nurse", "apn_nurse", "nurse"]

REFERENCE_PROTOCOLS = [
    {
        "code": "asalee-dt2",
        "title": "Asalée — Suivi du patient diabétique de type 2",
        "kind": "asalee",
        "summary": "Suivi partagé du diabète de type 2 : examens de suivi, examen des pieds, "
        "ECG, éducation thérapeutique, en alternance avec les consultations du médecin.",
        "delegating_professions": ["gp"],
        "delegate_professions": ["asalee_nurse"],
        "acts": "Prescription et réalisation des examens de suivi (HbA1c, créatininémie, "
        "microalbuminurie)\nExamen des pieds (monofilament) et gradation du risque podologique\n"
        "Réalisation et interprétation de l'ECG\nConsultation d'éducation thérapeutique",
        "min_age": 18,
        "max_age": None,
        "sexes": [],
        "inclusion": "dt2 ; Diabète de type 2 diagnostiqué par le médecin\n"
        "suivi ; Patient suivi par un médecin de l'équipe",
        "exclusion": "dt1 ; Diabète de type 1 ou insulinothérapie par pompe\n"
        "grossesse ; Grossesse en cours\n"
        "instable ; Complication aiguë en cours (plaie, infection, décompensation)",
        "consent_required": True,
        "fields": "hba1c ; HbA1c ; nombre ; unité=% ; min=3 ; max=20 ; obligatoire\n"
        "poids ; Poids ; nombre ; unité=kg ; min=20 ; max=300\n"
        "pas ; Pression artérielle systolique ; nombre ; unité=mmHg ; min=60 ; max=260\n"
        "pad ; Pression artérielle diastolique ; nombre ; unité=mmHg ; min=30 ; max=160\n"
        "pieds ; Examen des pieds ; choix ; choix=Normal|Sensibilité diminuée "
        "(monofilament)|Plaie ou mal perforant ; obligatoire\n"
        "ecg ; ECG réalisé ; oui/non ; obligatoire\n"
        "ecg_anomalie ; Anomalie à l'ECG ; oui/non\n"
        "fond_oeil ; Date du dernier fond d'œil ; date\n"
        "objectifs ; Objectifs éducatifs convenus ; texte",
        "red_flags": "hba1c_haute ; HbA1c supérieure à 10 % ; hba1c > 10\n"
        "plaie ; Plaie du pied ou mal perforant ; pieds = Plaie ou mal perforant\n"
        "ecg ; Anomalie à l'ECG ; ecg_anomalie = oui\n"
        "pas_haute ; Pression systolique ≥ 180 mmHg ; pas >= 180\n"
        "douleur_thoracique ; Douleur thoracique\n"
        "hypoglycemies ; Hypoglycémies sévères répétées",
        "default_due_days": 30,
    },
    {
        "code": "asalee-rcv",
        "title": "Asalée — Suivi du risque cardiovasculaire",
        "kind": "asalee",
        "summary": "Repérage et suivi des facteurs de risque cardiovasculaire : mesures, "
        "bilan lipidique, tabac, activité physique, éducation.",
        "delegating_professions": ["gp"],
        "delegate_professions": ["asalee_nurse"],
        "acts": "Mesure de la pression artérielle et des paramètres anthropométriques\n"
        "Prescription du bilan lipidique\nConsultation d'éducation à la santé",
        "min_age": 18,
        "max_age": None,
        "sexes": [],
        "inclusion": "facteur ; Au moins un facteur de risque cardiovasculaire "
        "(HTA, dyslipidémie, tabac, surpoids, hérédité)",
        "exclusion": "instable ; Maladie cardiovasculaire instable connue\n"
        "grossesse ; Grossesse en cours",
        "consent_required": True,
        "fields": "pas ; Pression artérielle systolique ; nombre ; unité=mmHg ; min=60 ; max=260 ; "
        "obligatoire\n"
        "pad ; Pression artérielle diastolique ; nombre ; unité=mmHg ; min=30 ; max=160 ; "
        "obligatoire\n"
        "poids ; Poids ; nombre ; unité=kg ; min=20 ; max=300\n"
        "tour_taille ; Tour de taille ; nombre ; unité=cm ; min=40 ; max=200\n"
        "ldl ; LDL-cholestérol ; nombre ; unité=g/L ; min=0,2 ; max=6\n"
        "tabac ; Tabac ; choix ; choix=Non-fumeur|Ancien fumeur|Fumeur ; obligatoire\n"
        "activite ; Activité physique et conseils donnés ; texte",
        "red_flags": "pas_haute ; Pression systolique ≥ 180 mmHg ; pas >= 180\n"
        "pad_haute ; Pression diastolique ≥ 110 mmHg ; pad >= 110\n"
        "ldl_haut ; LDL-cholestérol ≥ 1,9 g/L ; ldl >= 1,9\n"
        "douleur_thoracique ; Douleur thoracique\n"
        "dyspnee ; Essoufflement inhabituel",
        "default_due_days": 30,
    },
    {
        "code": "asalee-bpco",
        "title": "Asalée — Repérage de la BPCO chez le fumeur (spirométrie)",
        "kind": "asalee",
        "summary": "Repérage de la bronchopneumopathie chronique obstructive chez le fumeur "
        "ou ancien fumeur par spirométrie, et aide au sevrage tabagique.",
        "delegating_professions": ["gp"],
        "delegate_professions": ["asalee_nurse"],
        "acts": "Réalisation et interprétation de la spirométrie\n"
        "Consultation d'aide au sevrage tabagique",
        "min_age": 40,
        "max_age": None,
        "sexes": [],
        "inclusion": "tabac ; Fumeur ou ancien fumeur (au moins 10 paquets-années)",
        "exclusion": "bpco_connue ; BPCO déjà diagnostiquée et suivie\n"
        "infection ; Infection respiratoire aiguë en cours\n"
        "chirurgie ; Chirurgie thoracique, abdominale ou oculaire récente",
        "consent_required": True,
        "fields": "paquets_annees ; Paquets-années ; nombre ; min=0 ; max=200 ; obligatoire\n"
        "vems ; VEMS ; nombre ; unité=L ; min=0,2 ; max=8 ; obligatoire\n"
        "cvf ; CVF ; nombre ; unité=L ; min=0,2 ; max=10 ; obligatoire\n"
        "vems_cvf ; Rapport VEMS/CVF ; nombre ; unité=% ; min=20 ; max=100 ; obligatoire\n"
        "vems_theorique ; VEMS en % de la valeur théorique ; nombre ; unité=% ; min=10 ; "
        "max=150\n"
        "qualite ; Qualité de la mesure ; choix ; choix=Bonne|Acceptable|Non interprétable ; "
        "obligatoire\n"
        "sevrage ; Aide au sevrage tabagique proposée ; oui/non",
        "red_flags": "obstruction ; VEMS/CVF inférieur à 70 % (trouble ventilatoire obstructif) "
        "; vems_cvf < 70\n"
        "vems_bas ; VEMS inférieur à 50 % de la théorique ; vems_theorique < 50\n"
        "dyspnee_repos ; Dyspnée de repos\n"
        "hemoptysie ; Hémoptysie",
        "default_due_days": 45,
    },
    {
        "code": "asalee-cognitif",
        "title": "Asalée — Repérage des troubles cognitifs",
        "kind": "asalee",
        "summary": "Repérage des troubles cognitifs chez la personne âgée par des tests "
        "validés (MMSE, test de l'horloge) et évaluation de l'autonomie.",
        "delegating_professions": ["gp"],
        "delegate_professions": ["asalee_nurse"],
        "acts": "Passation et cotation des tests cognitifs (MMSE, test de l'horloge)\n"
        "Évaluation de l'autonomie (IADL)",
        "min_age": 75,
        "max_age": None,
        "sexes": [],
        "inclusion": "plainte ; Plainte mnésique du patient ou de son entourage",
        "exclusion": "diagnostic ; Trouble neurocognitif déjà diagnostiqué\n"
        "confusion ; Syndrome confusionnel aigu\n"
        "sensoriel ; Déficit sensoriel empêchant les tests",
        "consent_required": True,
        "fields": "mmse ; MMSE ; nombre ; unité=/30 ; min=0 ; max=30 ; obligatoire\n"
        "etudes ; Niveau d'études ; choix ; choix=Sans diplôme|Certificat d'études|"
        "Brevet ou CAP|Baccalauréat ou plus\n"
        "horloge ; Test de l'horloge ; choix ; choix=Normal|Anormal ; obligatoire\n"
        "iadl ; IADL (4 items) ; nombre ; unité=/4 ; min=0 ; max=4\n"
        "entourage ; Entourage et aidants ; texte",
        "red_flags": "mmse_bas ; MMSE inférieur à 24/30 ; mmse < 24\n"
        "horloge ; Test de l'horloge anormal ; horloge = Anormal\n"
        "autonomie ; Perte d'autonomie récente\n"
        "danger ; Mise en danger (errance, conduite automobile)",
        "default_due_days": 60,
    },
    {
        "code": "cystite",
        "title": "Protocole national — Pollakiurie et brûlures mictionnelles "
        "(cystite simple) chez la femme de 16 à 65 ans",
        "kind": "national",
        "summary": "Prise en charge de la cystite aiguë simple : bandelette urinaire et "
        "antibiothérapie selon le protocole national de coopération.",
        "delegating_professions": ["gp"],
        "delegate_professions": NURSES,
        "acts": "Réalisation et interprétation de la bandelette urinaire\n"
        "Prescription de l'antibiothérapie prévue par le protocole",
        "min_age": 16,
        "max_age": 65,
        "sexes": ["F"],
        "inclusion": "symptomes ; Pollakiurie et/ou brûlures mictionnelles",
        "exclusion": "grossesse ; Grossesse en cours ou possible\n"
        "fievre ; Fièvre ≥ 38 °C ou frissons\n"
        "lombaire ; Douleur lombaire ou abdominale\n"
        "recidive ; Au moins 3 infections urinaires dans les 12 derniers mois\n"
        "recente ; Infection urinaire dans les 3 derniers mois\n"
        "uropathie ; Anomalie connue de l'appareil urinaire, sonde urinaire\n"
        "immunodepression ; Immunodépression ou insuffisance rénale sévère\n"
        "duree ; Symptômes depuis plus de 5 jours\n"
        "vaginal ; Pertes vaginales ou prurit vulvaire",
        "consent_required": True,
        "fields": "bandelette ; Bandelette urinaire ; choix ; choix=Leucocytes ou nitrites "
        "positifs|Leucocytes et nitrites négatifs ; obligatoire\n"
        "temperature ; Température ; nombre ; unité=°C ; min=34 ; max=42 ; obligatoire\n"
        "traitement ; Traitement délivré ; choix ; choix=Fosfomycine-trométamol dose unique|"
        "Pivmécillinam 5 jours|Aucun ; obligatoire\n"
        "conseils ; Conseils d'hydratation et de prévention donnés ; oui/non",
        "red_flags": "fievre ; Fièvre ≥ 38 °C ; temperature >= 38\n"
        "bandelette_negative ; Bandelette négative : avis médical ; bandelette = Leucocytes "
        "et nitrites négatifs\n"
        "lombaire ; Douleur lombaire apparue\n"
        "hematurie ; Hématurie macroscopique",
        "default_due_days": 0,
    },
    {
        "code": "odynophagie",
        "title": "Protocole national — Odynophagie (mal de gorge) chez le patient de 6 à 45 ans",
        "kind": "national",
        "summary": "Prise en charge de l'odynophagie : score de Mac Isaac, test rapide "
        "d'orientation diagnostique (TROD) du streptocoque et traitement selon le protocole.",
        "delegating_professions": ["gp"],
        "delegate_professions": NURSES,
        "acts": "Calcul du score de Mac Isaac\nRéalisation du TROD angine\n"
        "Prescription de l'antibiothérapie prévue par le protocole",
        "min_age": 6,
        "max_age": 45,
        "sexes": [],
        "inclusion": "odynophagie ; Douleur à la déglutition",
        "exclusion": "gravite ; Signes de gravité (difficulté respiratoire, trismus, "
        "hypersialorrhée)\n"
        "duree ; Symptômes depuis plus de 8 jours\n"
        "recidive ; Au moins 3 angines dans les 12 derniers mois\n"
        "immunodepression ; Immunodépression ou traitement immunosuppresseur\n"
        "grossesse ; Grossesse en cours\n"
        "eruption ; Éruption cutanée associée",
        "consent_required": True,
        "fields": "mac_isaac ; Score de Mac Isaac ; nombre ; min=0 ; max=5 ; obligatoire\n"
        "trod ; TROD angine ; choix ; choix=Positif|Négatif|Non réalisé ; obligatoire\n"
        "temperature ; Température ; nombre ; unité=°C ; min=34 ; max=42\n"
        "traitement ; Traitement ; choix ; choix=Amoxicilline 6 jours|Traitement symptomatique|"
        "Aucun ; obligatoire",
        "red_flags": "fievre_haute ; Température ≥ 39,5 °C ; temperature >= 39,5\n"
        "dyspnee ; Difficulté respiratoire\n"
        "phlegmon ; Trismus ou hypersialorrhée (suspicion de phlegmon)",
        "default_due_days": 0,
    },
]
