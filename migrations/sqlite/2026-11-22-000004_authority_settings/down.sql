DROP TABLE authority_settings;
