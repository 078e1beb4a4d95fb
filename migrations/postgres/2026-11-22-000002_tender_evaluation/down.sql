DROP TABLE awards;
DROP TABLE evaluations;
DROP TABLE moderated_scores;
DROP TABLE evaluator_scores;
DROP TABLE bids;
DROP TABLE tenders;
