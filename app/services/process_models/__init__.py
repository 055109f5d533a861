"""Process models (BPMN, DMN, forms, model tests): checking and deploying a bundle (`deploy`),
the analyst's modeler, the repository of deployed versions (`models_repo`), migrating running
instances to a new version (`migrations`), and the demo data (`demo`).

May use: every package above except reorganisation."""
