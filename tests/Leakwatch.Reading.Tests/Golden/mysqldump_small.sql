-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;

DROP TABLE IF EXISTS `sessions`;
CREATE TABLE `sessions` (
  `id` int NOT NULL,
  `token` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO `sessions` VALUES (1,'abc'),(2,'it''s;(x)');

DROP TABLE IF EXISTS `customers`;
CREATE TABLE `customers` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `e_mail` varchar(255) NOT NULL,
  `mobile_no` varchar(32) DEFAULT NULL,
  `first_name` varchar(64) DEFAULT 'n/a, none',
  `dob` date DEFAULT NULL,
  `password_hash` varbinary(20),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_email` (`e_mail`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `customers` WRITE;
/*!40000 ALTER TABLE `customers` DISABLE KEYS */;
INSERT INTO `customers` VALUES (1,'ann@example.com','+44 7700 900123','Ann \'Nan\' O\\Hara','1980-02-03',_binary 'a\tb'),(2,'bob@example.net',NULL,'Bob\nSmith',NULL,X'00FF'),(3,'cy@example.org','07700900456',0x4379,'1990-12-31',NULL),
(4,'dee@example.com','+1 555 0100',_utf8mb4'Dée',NULL,NULL),(5,'bad@example.com','1'),(6,'eve@example.com',NULL,'Eve' 'x',NULL,NULL);
INSERT INTO `customers` (`id`, `first_name`, `e_mail`) VALUES (7,'Fay','fay@example.com');
/*!40000 ALTER TABLE `customers` ENABLE KEYS */;
UNLOCK TABLES;
